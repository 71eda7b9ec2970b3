using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Tests.Protos;

namespace MicroGen.Tests.EndToEnd;

public enum Priority
{
    Low,
    Normal,
    High = 10,
}

public sealed record Item(string Name, decimal Price, Priority Priority);

public sealed class Order
{
    public Guid Id { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public List<Item> Items { get; set; } = new();
    public Dictionary<string, string> Tags { get; set; } = new();
    public int? Discount { get; set; }
    public byte[]? Signature { get; set; }
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

public interface IAuditable
{
    Task<string> Audit(string message, CancellationToken cancellationToken = default);
}

/// <summary>Every unary shape the foundation supports.</summary>
[MicroService("shapes", Version = "2.1.0")]
public interface IShapes : IAuditable
{
    Task<string> Echo(string text, CancellationToken cancellationToken = default);

    Task<int> Add(int a, int b, CancellationToken cancellationToken = default);

    ValueTask<long> Count(CancellationToken cancellationToken = default);

    Task Touch(string key, CancellationToken cancellationToken = default);

    ValueTask Reset();

    Task<Order> Place(Order order, Item extra, CancellationToken cancellationToken = default);

    Task<Page<Item>> List(int skip, int take, CancellationToken cancellationToken = default);

    Task<string> Keywords(string @class, int @event, CancellationToken cancellationToken = default);

    [Endpoint("Renamed")]
    Task<string> OriginalName(CancellationToken cancellationToken = default);

    Task<int?> Maybe(int? value, CancellationToken cancellationToken = default);

    Task<Item[]> Sort(Item[] items, CancellationToken cancellationToken = default);
}

/// <summary>Behaviour: errors, deadlines, cancellation, metadata.</summary>
[MicroService("behaviour")]
public interface IBehaviour
{
    Task<string> Fail(int code, string detail, CancellationToken cancellationToken = default);

    Task<string> Crash(CancellationToken cancellationToken = default);

    /// <summary>The handler cancels the call itself: a token of its own fires, the call's does not.</summary>
    Task<string> GiveUp(CancellationToken cancellationToken = default);

    Task<bool> Sleep(int milliseconds, CancellationToken cancellationToken = default);

    Task<string> Headers(string key, CancellationToken cancellationToken = default);
}

/// <summary>A protobuf contract: the default content type is application/protobuf.</summary>
[MicroService("pinger")]
public interface IPinger
{
    Task<PingReply> Ping(PingRequest request, CancellationToken cancellationToken = default);
}
