using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace MicroGen.Analyzers.Tests.Infrastructure;

/// <summary>What the generator must do with a case's contracts.</summary>
public enum GeneratorExpectation
{
    /// <summary>The contract breaks an error rule: no contract file is generated (and nothing breaks).</summary>
    Skipped,

    /// <summary>The contract is accepted (at most warnings or info): its contract file is generated and compiles.</summary>
    Generated,

    /// <summary>The case has no contract (pub/sub, events).</summary>
    NoContract,
}

/// <summary>One analyzer test source: marked-up C# and what the generator must do with it.</summary>
/// <param name="Name">The case's name, used as the test name.</param>
/// <param name="Source">The source, with <c>{|MGxxxx:…|}</c> markup on every expected diagnostic.</param>
/// <param name="Generator">What the generator must do with the source.</param>
public sealed record ContractCase(string Name, string Source, GeneratorExpectation Generator)
{
    private static readonly Regex s_markup = new(@"\{\|[A-Z]+[0-9]+:|\|\}", RegexOptions.CultureInvariant);

    /// <summary>The source without markup.</summary>
    public string PlainSource => s_markup.Replace(Source, string.Empty);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// The analyzer test corpus: every diagnostic's positive cases and the valid contracts. The
/// generator tests run the same sources, so that what the analyzers reject the generator skips
/// (without crashing or emitting broken code) and what they accept it compiles.
/// </summary>
public static class Contracts
{
    /// <summary>The usings every case starts with.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;
        using MicroGen.Client;
        using MicroGen.Hosting;
        using MicroGen.Service;

        """;

    /// <summary>A hand-written Google.Protobuf message (what protoc emits, reduced to what the codecs use).</summary>
    public const string ProtobufMessages = """

        public sealed class PingRequest : Google.Protobuf.IMessage<PingRequest>
        {
            public static Google.Protobuf.MessageParser<PingRequest> Parser { get; } = new(() => new PingRequest());
            public Google.Protobuf.Reflection.MessageDescriptor Descriptor => null!;
            public int CalculateSize() => 0;
            public void MergeFrom(Google.Protobuf.CodedInputStream input) { }
            public void MergeFrom(PingRequest message) { }
            public void WriteTo(Google.Protobuf.CodedOutputStream output) { }
            public bool Equals(PingRequest? other) => other is not null;
            public override bool Equals(object? obj) => obj is PingRequest;
            public override int GetHashCode() => 0;
            public PingRequest Clone() => new();
        }

        public sealed class PingReply : Google.Protobuf.IMessage<PingReply>
        {
            public static Google.Protobuf.MessageParser<PingReply> Parser { get; } = new(() => new PingReply());
            public Google.Protobuf.Reflection.MessageDescriptor Descriptor => null!;
            public int CalculateSize() => 0;
            public void MergeFrom(Google.Protobuf.CodedInputStream input) { }
            public void MergeFrom(PingReply message) { }
            public void WriteTo(Google.Protobuf.CodedOutputStream output) { }
            public bool Equals(PingReply? other) => other is not null;
            public override bool Equals(object? obj) => obj is PingReply;
            public override int GetHashCode() => 0;
            public PingReply Clone() => new();
        }
        """;

    /// <summary>A valid contract using every payload shape the codecs carry, plus valid pub/sub calls.</summary>
    public const string Valid = Usings + """
        public enum Status { Open, Paid, Shipped }

        public sealed record Line(string Sku, int Quantity, decimal Price);

        public sealed class Order
        {
            public Guid Id { get; set; }
            public required string Customer { get; init; }
            public List<Line> Lines { get; set; } = new();
            public Dictionary<string, int> Tags { get; set; } = new();
            public Status Status { get; set; }
            public DateTimeOffset? PaidAt { get; set; }
            public byte[]? Receipt { get; set; }
            public decimal Total => 0m;
        }

        public readonly struct Money
        {
            public Money(decimal amount, string currency) { Amount = amount; Currency = currency; }
            public decimal Amount { get; }
            public string Currency { get; }
        }

        [MicroEvent]
        public sealed record OrderPlaced(Guid OrderId, Money Total);

        /// <summary>The shop.</summary>
        [MicroService("go.micro.srv.shop", Version = "1.2.0")]
        public interface IShop
        {
            Task<Order> Get(Guid id, CancellationToken cancellationToken = default);
            Task<List<Order>> Search(string customer, Status? status, int take, CancellationToken cancellationToken = default);
            ValueTask Cancel(Guid id, CancellationToken cancellationToken = default);
            [Idempotent]
            ValueTask<Money> Quote(Order order, CancellationToken cancellationToken = default);
            Task Ping(CancellationToken cancellationToken = default);
            [Endpoint("Search2")]
            Task<Order[]> Search(Dictionary<string, string> filter, CancellationToken cancellationToken = default);
            Task<IReadOnlyList<Line>> Lines(Guid id, CancellationToken cancellationToken = default);
        }

        public static class Publisher
        {
            public static async Task Publish(IClient client, Order order)
            {
                await client.PublishAsync("shop.order-placed", new OrderPlaced(order.Id, new Money(1m, "EUR")));
                await client.PublishAsync("shop.order", order);
                await client.PublishAsync("shop.note", "shipped");
            }

            public static void Subscribe(IService service)
            {
                service.Subscribe<OrderPlaced>("shop.order-placed", (OrderPlaced e, CancellationToken ct) => Task.CompletedTask);
                service.Subscribe<Order>("shop.order", async (e, ct) => await Task.Yield(), queue: "billing");
                service.Subscribe<string>("shop.note", Handle);
            }

            public static void Host(MicroGenBuilder builder) =>
                builder.AddSubscriber<OrderPlaced>("shop.order-placed", (provider, e, ct) => Task.CompletedTask);

            private static Task Handle(string note, CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """;

    /// <summary>Every positive case, by diagnostic.</summary>
    public static IEnumerable<ContractCase> Bad()
    {
        // MG0001
        yield return Case("MG0001_IntReturn", """
            [MicroService("calc")]
            public interface ICalc
            {
                {|MG0001:int|} Add(int a, int b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0001_VoidReturn", """
            [MicroService("calc")]
            public interface ICalc
            {
                {|MG0001:void|} Reset(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0001_ListReturn", """
            [MicroService("calc")]
            public interface ICalc
            {
                {|MG0001:List<int>|} History(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0002
        yield return Case("MG0002_Ref", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task Bump({|MG0002:ref|} int value, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0002_Out", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<bool> TryGet(string key, {|MG0002:out|} string value, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0002_In", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Square({|MG0002:in|} int value, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0002_Params", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Sum({|MG0002:params|} int[] values);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0002_Pointer", """
            [MicroService("calc")]
            public unsafe interface ICalc
            {
                Task Raw({|MG0002:byte*|} data, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0003
        yield return Case("MG0003_Overload", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
                Task<double> {|MG0003:Add|}(double a, double b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0003_EndpointClash", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
                [Endpoint({|MG0003:"Add"|})]
                Task<int> Plus(int a, int b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0003_InheritedClash", """
            public interface IBase
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
            }

            [MicroService("calc")]
            public interface ICalc : {|MG0003:IBase|}
            {
                Task<int> Add(long a, long b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0004
        yield return Case("MG0004_WhiteSpace", """
            [MicroService("calc")]
            public interface ICalc
            {
                [Endpoint({|MG0004:"add numbers"|})]
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0004_TrailingDot", """
            [MicroService("calc")]
            public interface ICalc
            {
                [Endpoint({|MG0004:"Calc."|})]
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0005
        yield return Case("MG0005_NotLast", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task Wait({|MG0005:CancellationToken cancellationToken|}, int seconds);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0005_Two", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task Wait(int seconds, {|MG0005:CancellationToken first|}, CancellationToken second);
            }
            """, GeneratorExpectation.Skipped);

        // MG0006
        yield return Case("MG0006_NoToken", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> {|MG0006:Add|}(int a, int b);
            }
            """, GeneratorExpectation.Generated);

        // MG0007
        yield return Case("MG0007_Delegate", """
            [MicroService("jobs")]
            public interface IJobs
            {
                Task Run({|MG0007:Action|} work, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_Stream", """
            [MicroService("files")]
            public interface IFiles
            {
                Task Upload(string name, {|MG0007:Stream|} content, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_ObjectResult", """
            [MicroService("bag")]
            public interface IBag
            {
                Task<{|MG0007:object|}> Get(string key, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_Interface", """
            [MicroService("bag")]
            public interface IBag
            {
                Task Put({|MG0007:IEnumerable<int>|} values, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_Span", """
            [MicroService("bag")]
            public interface IBag
            {
                Task Put({|MG0007:ReadOnlySpan<byte>|} values, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_NestedMember", """
            public sealed class Job
            {
                public string Name { get; set; } = "";
                public Func<Task>? Callback { get; set; }
            }

            [MicroService("jobs")]
            public interface IJobs
            {
                Task<{|MG0007:Job|}> Next(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_NoConstructor", """
            public sealed class Point
            {
                public Point(int x) { X = x; }
                public Point(int x, int y) { X = x; Y = y; }
                public int X { get; }
                public int Y { get; }
            }

            [MicroService("geo")]
            public interface IGeo
            {
                Task Move({|MG0007:Point|} to, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_ProtobufWithoutParser", """
            public sealed class Handmade : Google.Protobuf.IMessage<Handmade>
            {
                public Google.Protobuf.Reflection.MessageDescriptor Descriptor => null!;
                public int CalculateSize() => 0;
                public void MergeFrom(Google.Protobuf.CodedInputStream input) { }
                public void MergeFrom(Handmade message) { }
                public void WriteTo(Google.Protobuf.CodedOutputStream output) { }
                public bool Equals(Handmade? other) => other is not null;
                public override bool Equals(object? obj) => obj is Handmade;
                public override int GetHashCode() => 0;
                public Handmade Clone() => new();
            }

            [MicroService("handmade")]
            public interface IHandmade
            {
                Task Send({|MG0007:Handmade|} message, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0007_MicroEvent", """
            [MicroEvent]
            public sealed class {|MG0007:JobDone|}
            {
                public Action? Next { get; set; }
            }
            """, GeneratorExpectation.NoContract);

        // MG0008
        yield return Case("MG0008_ProtobufMixed", """
            [MicroService("pinger")]
            public interface IPinger
            {
                Task<PingReply> Ping(PingRequest request, CancellationToken cancellationToken = default);
                Task<{|MG0008:int|}> Count(PingRequest request, CancellationToken cancellationToken = default);
            }
            """ + ProtobufMessages, GeneratorExpectation.Generated);

        // MG0009
        yield return Case("MG0009_GenericInterface", """
            [MicroService("repo")]
            public interface IRepo{|MG0009:<T>|}
            {
                Task<T> Get(string id, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0009_GenericMethod", """
            [MicroService("repo")]
            public interface IRepo
            {
                Task<T> Get{|MG0009:<T>|}(string id, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0010
        yield return Case("MG0010_Property", """
            [MicroService("repo")]
            public interface IRepo
            {
                string {|MG0010:Name|} { get; }
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0010_Event", """
            [MicroService("repo")]
            public interface IRepo
            {
                event EventHandler {|MG0010:Changed|};
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0010_Indexer", """
            [MicroService("repo")]
            public interface IRepo
            {
                string {|MG0010:this|}[int index] { get; }
            }
            """, GeneratorExpectation.Skipped);

        // MG0011
        yield return Case("MG0011_Space", """
            [MicroService({|MG0011:"my service"|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0011_Empty", """
            [MicroService({|MG0011:""|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0011_Quote", """
            [MicroService({|MG0011:"repo\"x"|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0012 – MG0014
        yield return Case("MG0012_EmptyVersion", """
            [MicroService("repo", {|MG0012:Version = " "|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0013_VersionWithNewLine", """
            [MicroService("repo", {|MG0013:Version = "1.0\nbeta"|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0013_VersionWithMarkup", """
            [MicroService("repo", {|MG0013:Version = "1.0<beta>"|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0014_NotSemantic", """
            [MicroService("repo", {|MG0014:Version = "first"|})]
            public interface IRepo
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);

        // MG0015
        yield return Case("MG0015_SameServiceName", """
            [MicroService({|MG0015:"repo"|})]
            public interface IUsers
            {
                Task Ping(CancellationToken cancellationToken = default);
            }

            [MicroService({|MG0015:"repo"|})]
            public interface IOrders
            {
                Task Pong(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);

        // MG0016
        yield return Case("MG0016_PrivateNested", """
            public class Outer
            {
                [MicroService("repo")]
                private interface {|MG0016:IRepo|}
                {
                    Task Ping(CancellationToken cancellationToken = default);
                }
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0016_ProtectedNested", """
            public class Outer
            {
                [MicroService("repo")]
                protected interface {|MG0016:IRepo|}
                {
                    Task Ping(CancellationToken cancellationToken = default);
                }
            }
            """, GeneratorExpectation.Skipped);
        yield return Case("MG0016_FileLocal", """
            [MicroService("repo")]
            file interface {|MG0016:IRepo|}
            {
                Task Ping(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0017
        yield return Case("MG0017_TwoStreamParameters", """
            [MicroService("feed")]
            public interface IFeed
            {
                IAsyncEnumerable<string> {|MG0017:Merge|}(IAsyncEnumerable<string> left, IAsyncEnumerable<string> right, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Skipped);

        // MG0018 – MG0020
        yield return Case("MG0018_PublishUnknownType", """
            public sealed class Untracked { public int Id { get; set; } }

            public static class Publisher
            {
                public static async Task Publish(IClient client) =>
                    await client.PublishAsync("user.created", {|MG0018:new Untracked()|});
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0018_SubscribeUnknownType", """
            public sealed class Untracked { public int Id { get; set; } }

            public static class Subscriber
            {
                public static void Subscribe(IService service) =>
                    service.Subscribe<{|MG0018:Untracked|}>("user.created", (Untracked e, CancellationToken ct) => Task.CompletedTask);
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0019_TopicWithSpace", """
            [MicroEvent]
            public sealed record UserCreated(long Id);

            public static class Publisher
            {
                public static async Task Publish(IClient client) =>
                    await client.PublishAsync({|MG0019:"user created"|}, new UserCreated(42));
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0019_WildcardTopic", """
            [MicroEvent]
            public sealed record UserCreated(long Id);

            public static class Subscriber
            {
                public static void Subscribe(IService service) =>
                    service.Subscribe<UserCreated>({|MG0019:"user.*"|}, (UserCreated e, CancellationToken ct) => Task.CompletedTask);
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0020_OtherRecordPublishedOnTheTopic", """
            [MicroEvent]
            public sealed record OrderPlaced(Guid OrderId, decimal Total);

            [MicroEvent]
            public sealed record OrderShipped(Guid OrderId, string Carrier);

            public static class Orders
            {
                public static async Task Ship(IClient client, Guid id) =>
                    await client.PublishAsync("orders.placed", new OrderShipped(id, "DHL"));

                public static void Subscribe(IService service) =>
                    service.Subscribe<{|MG0020:OrderPlaced|}>("orders.placed", (e, ct) => Task.CompletedTask);
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0020_MemberWrittenAsAnotherType", """
            [MicroEvent]
            public sealed record UserCreated(long Id, string Name);

            public static class Users
            {
                public const string Created = "user.created";

                public static async Task Publish(IClient client) =>
                    await client.PublishAsync<LegacyUser>(Created, new LegacyUser { Id = "42", Name = "Ada" });

                public static void Subscribe(IService service) =>
                    service.Subscribe<{|MG0020:UserCreated|}>(Created, (e, ct) => Task.CompletedTask);
            }

            [MicroEvent]
            public sealed class LegacyUser
            {
                public string Id { get; set; } = "";
                public string Name { get; set; } = "";
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0020_ProtobufPublishedMicroEventSubscribed", """
            [MicroEvent]
            public sealed record Ping(int Sequence);

            public static class Pinger
            {
                public static async Task Publish(IClient client) =>
                    await client.PublishAsync("ping", new PingRequest());

                public static void Subscribe(IService service) =>
                    service.Subscribe<{|MG0020:Ping|}>("ping", (e, ct) => Task.CompletedTask);
            }
            """ + ProtobufMessages, GeneratorExpectation.NoContract);
        yield return Case("MG0020_HostedSubscriberInferred", """
            [MicroEvent]
            public sealed record UserCreated(long Id, string Name);

            [MicroEvent]
            public sealed record UserDeleted(long Id, DateTimeOffset At);

            public static class Users
            {
                public static async Task Delete(IClient client, long id) =>
                    await client.PublishAsync("user.created", new UserDeleted(id, DateTimeOffset.UtcNow));

                public static MicroGenBuilder AddUsers(this MicroGenBuilder builder) =>
                    builder.{|MG0020:AddSubscriber|}("user.created", (IServiceProvider provider, UserCreated e, CancellationToken ct) => Task.CompletedTask);
            }
            """, GeneratorExpectation.NoContract);

        // MG0021
        yield return Case("MG0021_GetOnlyAndPrivateField", """
            public sealed class Account
            {
                private readonly List<string> {|MG0021:_owners|} = new();
                public string Name { get; set; } = "";
                public DateTime {|MG0021:Created|} { get; } = DateTime.UtcNow;
                public IReadOnlyList<string> Owners => _owners;
            }

            [MicroService("accounts")]
            public interface IAccounts
            {
                Task<Account> Get(string name, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0021_ReadOnlyField", """
            [MicroEvent]
            public sealed class Tick
            {
                public readonly long {|MG0021:At|};
                public int Count;
            }
            """, GeneratorExpectation.NoContract);
    }

    /// <summary>
    /// Near misses, by diagnostic: code that looks like a positive case but is fine, so none of the
    /// analyzers reports anything (and the generator compiles what they accept).
    /// </summary>
    public static IEnumerable<ContractCase> NearMisses()
    {
        yield return Case("MG0002_ArrayWithoutParams_IsFine", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Sum(int[] values, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0003_OverloadsRenamedByEndpoint_AreFine", """
            public interface IBase
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
            }

            [MicroService("calc")]
            public interface ICalc : IBase
            {
                [Endpoint("AddLongs")]
                Task<long> Add(long a, long b, CancellationToken cancellationToken = default);
                [Endpoint("AddDoubles")]
                Task<double> Add(double a, double b, CancellationToken cancellationToken = default);
                [Endpoint("Legacy.Add")]
                Task<decimal> Add(decimal a, decimal b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0004_DottedDashedAndUnderscoredNames_AreFine", """
            [MicroService("calc")]
            public interface ICalc
            {
                [Endpoint("Calc.Add2")]
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
                [Endpoint("sub-tract")]
                Task<int> Subtract(int a, int b, CancellationToken cancellationToken = default);
                [Endpoint("multiply_by")]
                Task<int> Multiply(int a, int b, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0006_TokenNotNamedCancellationToken_IsFine", """
            [MicroService("calc")]
            public interface ICalc
            {
                Task Wait(int seconds, CancellationToken ct);
                Task<int> Add(int a, int b, CancellationToken token = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0007_ReadOnlyCollectionsAndBytes_AreFine", """
            [MicroService("bag")]
            public interface IBag
            {
                Task Put(IReadOnlyList<int> values, IReadOnlyDictionary<string, long> counts, byte[] blob, CancellationToken cancellationToken = default);
                Task<Dictionary<Guid, List<DateTimeOffset?>>> History(CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0008_ProtobufOnly_IsFine", """
            [MicroService("pinger")]
            public interface IPinger
            {
                Task<PingReply> Ping(PingRequest request, CancellationToken cancellationToken = default);
                Task Fire(PingRequest request, CancellationToken cancellationToken = default);
                IAsyncEnumerable<PingReply> Watch(PingRequest request, CancellationToken cancellationToken = default);
            }
            """ + ProtobufMessages, GeneratorExpectation.Generated);
        yield return Case("MG0011_GoMicroServiceNames_AreFine", """
            [MicroService("go.micro.srv.greeter")]
            public interface IGreeter { Task Ping(CancellationToken cancellationToken = default); }

            [MicroService("user-service_v2")]
            public interface IUsers { Task Ping(CancellationToken cancellationToken = default); }

            [MicroService("Billing2")]
            public interface IBilling { Task Ping(CancellationToken cancellationToken = default); }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0014_SemanticVersions_AreFine", """
            [MicroService("a", Version = "v1.2.3-beta.1+build.5")]
            public interface IA { Task Ping(CancellationToken cancellationToken = default); }

            [MicroService("b", Version = "2")]
            public interface IB { Task Ping(CancellationToken cancellationToken = default); }

            [MicroService("c", Version = "latest")]
            public interface IC { Task Ping(CancellationToken cancellationToken = default); }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0016_InternalNested_IsFine", """
            public class Outer
            {
                [MicroService("repo")]
                internal interface IRepo
                {
                    Task Ping(CancellationToken cancellationToken = default);
                }
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0017_OneStreamEachWay_IsFine", """
            [MicroService("feed")]
            public interface IFeed
            {
                IAsyncEnumerable<string> Watch(string topic, CancellationToken cancellationToken = default);
                Task<int> Upload(string name, IAsyncEnumerable<string> lines, CancellationToken cancellationToken = default);
                IAsyncEnumerable<string> Chat(IAsyncEnumerable<string> lines, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
        yield return Case("MG0018_ProtobufBuiltinAndContractEvents_AreFine", """
            public sealed record Quote(string Sku, decimal Price);

            [MicroService("prices")]
            public interface IPrices
            {
                Task<Quote> Get(string sku, CancellationToken cancellationToken = default);
            }

            public static class Events
            {
                public static async Task Publish(IClient client)
                {
                    await client.PublishAsync("prices.ping", new PingRequest());
                    await client.PublishAsync("prices.quote", new Quote("a", 1m));
                    await client.PublishAsync("prices.count", 42);
                }
            }
            """ + ProtobufMessages, GeneratorExpectation.Generated);
        yield return Case("MG0019_GoMicroTopics_AreFine", """
            [MicroEvent]
            public sealed record UserCreated(long Id);

            public static class Topics
            {
                public static async Task Publish(IClient client, string tenant)
                {
                    await client.PublishAsync("go.micro.topic.user-created", new UserCreated(1));
                    await client.PublishAsync("user_created.v2", new UserCreated(2));
                    await client.PublishAsync("Users2", new UserCreated(3));
                    // Not a constant: checked at run time, not here.
                    await client.PublishAsync(tenant + " users", new UserCreated(4));
                }
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0020_SameTypeProjectionAndBaseType_AreFine", """
            [MicroEvent]
            public record UserEvent(long Id);

            [MicroEvent]
            public sealed record UserCreated(long Id, string Name, DateTimeOffset At) : UserEvent(Id);

            // A read model that keeps only what it needs: the members it reads are all published.
            [MicroEvent]
            public sealed class UserCreatedSummary
            {
                public long Id { get; set; }
                public string? Name { get; set; }
            }

            public static class Users
            {
                public static async Task Publish(IClient client) =>
                    await client.PublishAsync("user.created", new UserCreated(1, "Ada", DateTimeOffset.UtcNow));

                public static void Subscribe(IService service)
                {
                    service.Subscribe<UserCreated>("user.created", (e, ct) => Task.CompletedTask);
                    service.Subscribe<UserCreatedSummary>("user.created", (e, ct) => Task.CompletedTask, queue: "summaries");
                    service.Subscribe<UserEvent>("user.created", (e, ct) => Task.CompletedTask, queue: "audit");
                }
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0020_WiderNumbersNullablesAndLists_AreFine", """
            public enum Level { Low, High }

            [MicroEvent]
            public sealed record Reading(int Sensor, Level Level, float Value, List<int> Samples, Guid? Batch);

            [MicroEvent]
            public sealed record WideReading(long Sensor, int Level, double Value, long[] Samples, Guid Batch);

            public static class Sensors
            {
                public static async Task Publish(IClient client) =>
                    await client.PublishAsync("sensors.reading", new Reading(1, Level.High, 1.5f, new() { 1 }, null));

                public static void Subscribe(IService service) =>
                    service.Subscribe<WideReading>("sensors.reading", (e, ct) => Task.CompletedTask);
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0020_NonConstantOrOtherTopic_IsFine", """
            [MicroEvent]
            public sealed record UserCreated(long Id, string Name);

            [MicroEvent]
            public sealed record UserDeleted(long Id, DateTimeOffset At);

            public static class Users
            {
                public static string Topic(string tenant) => tenant + ".user.created";

                public static async Task Publish(IClient client, string tenant)
                {
                    await client.PublishAsync(Topic(tenant), new UserDeleted(1, DateTimeOffset.UtcNow));
                    await client.PublishAsync("user.deleted", new UserDeleted(1, DateTimeOffset.UtcNow));
                }

                public static void Subscribe(IService service, string tenant)
                {
                    service.Subscribe<UserCreated>("user.created", (e, ct) => Task.CompletedTask);
                    service.Subscribe<UserCreated>(Topic(tenant), (e, ct) => Task.CompletedTask);
                }
            }

            // Not MicroGen's API: a same-named method on another type publishes nothing MicroGen decodes.
            public sealed class Bus
            {
                public Task PublishAsync<T>(string topic, T message) => Task.CompletedTask;

                public Task Publish() => PublishAsync("user.created", new UserDeleted(2, default));
            }
            """, GeneratorExpectation.NoContract);
        yield return Case("MG0021_ConstructorParametersAndIgnoredState_AreFine", """
            public sealed record Line(string Sku, int Quantity);

            public sealed class Account
            {
                public Account(string name, DateTime created) { Name = name; Created = created; }

                public string Name { get; }
                public DateTime Created { get; }
                public List<Line> Lines { get; init; } = new();
                public int Count => Lines.Count;

                [System.Runtime.Serialization.IgnoreDataMember]
                public string Cache { get; set; } = "";
            }

            [MicroService("accounts")]
            public interface IAccounts
            {
                Task<Account> Get(string name, CancellationToken cancellationToken = default);
            }
            """, GeneratorExpectation.Generated);
    }

    private static ContractCase Case(string name, string body, GeneratorExpectation generator) =>
        new(name, Usings + body, generator);
}
