using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MessagePack;

namespace MicroGen.Bench.Micro;

/// <summary>A contract of ten methods: its generated dispatcher is what the dispatch benchmarks run.</summary>
[MicroService("orders", Version = "1.0.0")]
public interface IOrders
{
    Task<Order> Get(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M1(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M2(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M3(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M4(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M5(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M6(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M7(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> M8(OrderQuery query, CancellationToken cancellationToken = default);
    Task<Order> Last(OrderQuery query, CancellationToken cancellationToken = default);
}

public sealed record OrderQuery
{
    public required long Id { get; init; }
}

/// <summary>The codec benchmarks' shape: scalars, a string, a date, a list of nested records, a map.</summary>
public sealed record Order
{
    public required long Id { get; init; }
    public required string Customer { get; init; }
    public required DateTime Created { get; init; }
    public required double Total { get; init; }
    public required List<OrderLine> Lines { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
}

public sealed record OrderLine
{
    public required string Sku { get; init; }
    public required int Quantity { get; init; }
    public required double Price { get; init; }
}

/// <summary>
/// The same shape for MessagePack's own serializer and default (dynamic, Reflection.Emit)
/// resolver, keyed by property name as MicroGen's generated formatters write it.
/// </summary>
[MessagePackObject(keyAsPropertyName: true)]
public sealed class OrderMp
{
    public long Id { get; set; }
    public string Customer { get; set; } = "";
    public DateTime Created { get; set; }
    public double Total { get; set; }
    public List<OrderLineMp> Lines { get; set; } = new();
    public Dictionary<string, string> Tags { get; set; } = new();
}

[MessagePackObject(keyAsPropertyName: true)]
public sealed class OrderLineMp
{
    public string Sku { get; set; } = "";
    public int Quantity { get; set; }
    public double Price { get; set; }
}

/// <summary>The same shape with integer keys (arrays on the wire): MessagePack's fastest dynamic mode.</summary>
[MessagePackObject]
public sealed class OrderMpArray
{
    [Key(0)] public long Id { get; set; }
    [Key(1)] public string Customer { get; set; } = "";
    [Key(2)] public DateTime Created { get; set; }
    [Key(3)] public double Total { get; set; }
    [Key(4)] public List<OrderLineMpArray> Lines { get; set; } = new();
    [Key(5)] public Dictionary<string, string> Tags { get; set; } = new();
}

[MessagePackObject]
public sealed class OrderLineMpArray
{
    [Key(0)] public string Sku { get; set; } = "";
    [Key(1)] public int Quantity { get; set; }
    [Key(2)] public double Price { get; set; }
}

public sealed class OrdersHandler : IOrders
{
    private static readonly Task<Order> s_order = Task.FromResult(Samples.Order());

    public Task<Order> Get(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M1(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M2(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M3(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M4(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M5(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M6(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M7(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> M8(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
    public Task<Order> Last(OrderQuery query, CancellationToken cancellationToken = default) => s_order;
}

internal static class Samples
{
    private static readonly DateTime s_created = new(2026, 11, 25, 3, 0, 0, DateTimeKind.Utc);

    public static Order Order() => new()
    {
        Id = 1234567,
        Customer = "ACME Corporation",
        Created = s_created,
        Total = 1234.5,
        Lines =
        [
            new OrderLine { Sku = "SKU-0001", Quantity = 2, Price = 100.25 },
            new OrderLine { Sku = "SKU-0002", Quantity = 1, Price = 534 },
            new OrderLine { Sku = "SKU-0003", Quantity = 5, Price = 100 },
        ],
        Tags = new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu" },
    };

    public static OrderMp OrderMp() => new()
    {
        Id = 1234567,
        Customer = "ACME Corporation",
        Created = s_created,
        Total = 1234.5,
        Lines =
        [
            new OrderLineMp { Sku = "SKU-0001", Quantity = 2, Price = 100.25 },
            new OrderLineMp { Sku = "SKU-0002", Quantity = 1, Price = 534 },
            new OrderLineMp { Sku = "SKU-0003", Quantity = 5, Price = 100 },
        ],
        Tags = new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu" },
    };

    public static OrderMpArray OrderMpArray() => new()
    {
        Id = 1234567,
        Customer = "ACME Corporation",
        Created = s_created,
        Total = 1234.5,
        Lines =
        [
            new OrderLineMpArray { Sku = "SKU-0001", Quantity = 2, Price = 100.25 },
            new OrderLineMpArray { Sku = "SKU-0002", Quantity = 1, Price = 534 },
            new OrderLineMpArray { Sku = "SKU-0003", Quantity = 5, Price = 100 },
        ],
        Tags = new Dictionary<string, string> { ["channel"] = "web", ["region"] = "eu" },
    };
}

/// <summary>The load harness's service, for the server-call benchmark: one small string each way.</summary>
[MicroService("hello", Version = "1.0.0")]
public interface IHello
{
    ValueTask<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default);
}

public sealed record HelloRequest
{
    public required string Name { get; init; }
}

public sealed record HelloReply
{
    public required string Message { get; init; }
}

/// <summary>Answers synchronously, as the load harness's handler does.</summary>
public sealed class HelloHandler : IHello
{
    public ValueTask<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default) =>
        new(new HelloReply { Message = "Hello " + request.Name });
}
