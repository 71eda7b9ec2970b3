using System.Collections.Generic;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>The contracts the snapshot and compile tests run the generator over, by case name.</summary>
internal static class SnapshotCases
{
    public const string BasicGreeter = """
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        public sealed class HelloRequest
        {
            public string Name { get; set; } = "";
        }

        public sealed record HelloReply(string Message);

        [MicroService("greeter", Version = "1.0.0")]
        public interface IGreeter
        {
            Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default);

            ValueTask<int> Add(int a, int b, CancellationToken cancellationToken = default);

            Task Ping();
        }
        """;

    public const string Shapes = """
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Shapes;

        [MicroService("shapes")]
        public interface IShapes
        {
            Task NoArgsTask();
            Task<string> NoArgsTaskOfT();
            ValueTask NoArgsValueTask(CancellationToken token);
            ValueTask<long> NoArgsValueTaskOfT(CancellationToken ct = default);
            Task OneArg(string? text);
            Task<double> TwoArgs(double x, double y);
            ValueTask<bool> ThreeArgs(bool a, string b, long c, CancellationToken cancellation);
        }
        """;

    public const string Inheritance = """
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Inheritance;

        public interface IPingable
        {
            Task Ping();
        }

        public interface IRepository<T>
        {
            Task<T> Get(int id, CancellationToken cancellationToken = default);
        }

        public sealed record Account(int Id, string Owner);

        [MicroService("accounts")]
        public interface IAccounts : IRepository<Account>, IPingable
        {
            Task<Account> Open(string owner, CancellationToken cancellationToken = default);
        }
        """;

    public const string GlobalNamespace = """
        using System.Threading.Tasks;
        using MicroGen;

        public sealed class Note
        {
            public string? Text { get; set; }
        }

        [MicroService("global")]
        public interface IGlobal
        {
            Task<Note> Echo(Note note);
        }
        """;

    public const string ShadowsSystem = """
        using MicroGen;

        namespace Foo.System
        {
            // Types named like the namespaces generated code uses: only global:: names survive them.
            public sealed class MicroGen { }
            public sealed class Threading { }
            public sealed class Collections { }
            public sealed class MessagePack { }

            public sealed class Payload
            {
                public global::System.Collections.Generic.List<int> Values { get; set; } = new();
            }

            [MicroService("shadow")]
            public interface IShadow
            {
                global::System.Threading.Tasks.Task<Payload> Get(Payload payload, global::System.Threading.CancellationToken cancellationToken = default);
                global::System.Threading.Tasks.Task<int> Sum(int a, int b);
            }
        }
        """;

    public const string NestedInterface = """
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Nested;

        public static class Outer
        {
            public sealed class Request
            {
                public int Value { get; init; }
            }

            public class Middle
            {
                [MicroService("nested")]
                public interface ICalculator
                {
                    Task<int> Double(Request request);
                }
            }
        }

        internal static class Hidden
        {
            [MicroService("hidden")]
            internal interface IHiddenService
            {
                Task<int> Next(int value);
            }
        }
        """;

    public const string KeywordsAndAttributes = """
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Keywords;

        [MicroService("keywords")]
        public interface IKeywords
        {
            Task<int> Escape(int @class, string @event, CancellationToken @operator = default);

            [Endpoint("Hi")]
            Task<string> SayHello(string name);

            [Endpoint("Custom.FullName"), Idempotent]
            Task<string> Full(string name);

            [Idempotent]
            ValueTask<int> Get(int id);

            [Endpoint("GetByName")]
            ValueTask<int> Get(string name);

            Task Descriptor(int value);
        }
        """;

    public const string TypeZoo = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Zoo;

        public enum Color { Red, Green, Blue = 10 }

        public enum Level : byte { Low = 1, High = 200, Top = High }

        public enum Signed : short { Minus = -5, Zero = 0 }

        public readonly record struct Point(int X, int Y);

        public struct Mutable
        {
            public double X;
            public double Y { get; set; }
        }

        public sealed record Item(Guid Id, string Name, decimal Price);

        public sealed class Page<T>
        {
            public required IReadOnlyList<T> Items { get; init; }
            public int Total { get; init; }
            public string? Cursor { get; init; }
        }

        public sealed class Node
        {
            public string Label { get; set; } = "";
            public Node? Next { get; set; }
            public List<Node>? Children { get; set; }
        }

        public sealed class Leaves
        {
            public Guid Id { get; set; }
            public DateTime When { get; set; }
            public DateTimeOffset At { get; set; }
            public TimeSpan Span { get; set; }
            public decimal Money { get; set; }
            public byte[]? Blob { get; set; }
            public char Letter { get; set; }
            public float Ratio { get; set; }
        }

        public sealed class Everything
        {
            public required string Title { get; init; }
            public int? MaybeNumber { get; set; }
            public Point? MaybePoint { get; set; }
            public Color Color { get; set; }
            public Level Level { get; set; }
            public Signed Signed { get; set; }
            public int[]? Numbers { get; set; }
            public List<string?>? Words { get; set; }
            public IReadOnlyList<Point>? Points { get; set; }
            public Dictionary<string, int>? Counts { get; set; }
            public Dictionary<Color, List<int>>? ByColor { get; set; }
            public IReadOnlyDictionary<Guid, Item>? Catalog { get; set; }
            public Page<Item>? Page { get; set; }
            public Mutable Mutable { get; set; }
            public Leaves? Leaves { get; set; }
            public Node? Tree { get; set; }
            public string Computed => Title + "!";
        }

        [MicroService("zoo")]
        public interface IZoo
        {
            Task<Everything> Echo(Everything value, CancellationToken cancellationToken = default);
            Task<Page<Item>> Search(string query, Color? color, int limit);
        }
        """;

    public const string Protobuf = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Google.Protobuf;
        using Google.Protobuf.Reflection;
        using MicroGen;

        namespace Demo.Proto;

        // A hand-written stand-in for a protoc-generated message: the generator only looks for IMessage<T>.
        public sealed class PingMessage : IMessage<PingMessage>
        {
            public static MessageParser<PingMessage> Parser { get; } = new(static () => new PingMessage());

            public MessageDescriptor Descriptor => throw new NotSupportedException();

            public int CalculateSize() => 0;

            public PingMessage Clone() => new();

            public bool Equals(PingMessage? other) => other is not null;

            public override bool Equals(object? obj) => obj is PingMessage;

            public override int GetHashCode() => 0;

            public void MergeFrom(PingMessage message)
            {
            }

            public void MergeFrom(CodedInputStream input)
            {
            }

            public void WriteTo(CodedOutputStream output)
            {
            }
        }

        [MicroService("proto")]
        public interface IProtoService
        {
            Task<PingMessage> Ping(PingMessage message, CancellationToken cancellationToken = default);
            Task Fire(PingMessage message);
            Task<PingMessage> Mixed(PingMessage message, int count);
        }
        """;

    public const string Streaming = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Streams;

        public sealed record Line(int Number, string Text);

        public sealed class Chunk
        {
            public byte[] Data { get; set; } = [];
        }

        public sealed record Summary(long Bytes, int Chunks);

        public enum Mood { Calm, Loud }

        public interface IWatchable
        {
            IAsyncEnumerable<long> Ticks(CancellationToken cancellationToken = default);
        }

        [MicroService("streams", Version = "1.0.0")]
        public interface IStreams : IWatchable
        {
            // Server streaming: one request (itself, Empty, or the argument struct), many replies.
            IAsyncEnumerable<Line> Watch(string file, CancellationToken cancellationToken = default);
            IAsyncEnumerable<Line> Tail(string file, int from, CancellationToken ct);
            IAsyncEnumerable<Mood> Moods();

            // Client streaming: every awaitable result shape, with and without leading arguments.
            Task<Summary> Upload(IAsyncEnumerable<Chunk> chunks, CancellationToken cancellationToken = default);
            ValueTask<Summary> UploadNamed(string name, IAsyncEnumerable<Chunk> chunks, CancellationToken cancellationToken = default);
            Task Store(string bucket, string key, IAsyncEnumerable<Chunk> chunks);
            ValueTask Drain(IAsyncEnumerable<int> numbers, CancellationToken cancellationToken);
            ValueTask<int> Tagged(IAsyncEnumerable<int> @event, string label, CancellationToken cancellationToken = default);

            // Duplex.
            IAsyncEnumerable<Line> Chat(IAsyncEnumerable<Line> lines, CancellationToken cancellationToken = default);
            [Endpoint("Shout"), Idempotent]
            IAsyncEnumerable<string?> Echo(string prefix, IAsyncEnumerable<string?> words, CancellationToken cancellationToken = default);

            // Nullable-annotated streams: the generated code stays warning-free.
            IAsyncEnumerable<int>? Maybe(IAsyncEnumerable<int>? numbers);
        }
        """;

    public const string StreamingProtobuf = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Google.Protobuf;
        using Google.Protobuf.Reflection;
        using MicroGen;
        using MicroGen.Codec;

        namespace Demo.ProtoStreams;

        // A hand-written stand-in for a protoc-generated message: the generator only looks for IMessage<T>.
        public sealed class Tick : IMessage<Tick>
        {
            public static MessageParser<Tick> Parser { get; } = new(static () => new Tick());

            public MessageDescriptor Descriptor => throw new NotSupportedException();

            public int CalculateSize() => 0;

            public Tick Clone() => new();

            public bool Equals(Tick? other) => other is not null;

            public override bool Equals(object? obj) => obj is Tick;

            public override int GetHashCode() => 0;

            public void MergeFrom(Tick message)
            {
            }

            public void MergeFrom(CodedInputStream input)
            {
            }

            public void WriteTo(CodedOutputStream output)
            {
            }
        }

        [MicroService("ticks")]
        public interface ITicks
        {
            // All protobuf (or Empty): application/protobuf by default.
            IAsyncEnumerable<Tick> Subscribe(Tick from, CancellationToken cancellationToken = default);
            Task<Tick> Last(IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default);
            Task Record(IAsyncEnumerable<Tick> ticks);
            IAsyncEnumerable<Tick> Relay(Empty start, IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default);

            // One non-protobuf part (the items, the request or the reply) makes it application/msgpack.
            Task<Tick> Count(IAsyncEnumerable<int> numbers);
            IAsyncEnumerable<Tick> Named(string name, IAsyncEnumerable<Tick> ticks);
            IAsyncEnumerable<string> Describe(IAsyncEnumerable<Tick> ticks);
        }
        """;

    public const string EventsOnly = """
        using System;
        using MicroGen;

        namespace Demo.Events;

        public enum Reason { Signup, Import }

        [MicroEvent]
        public sealed record UserCreated(long Id, string Email, DateTimeOffset At, Reason Reason);

        [MicroEvent]
        public struct Tick
        {
            public long Sequence { get; set; }
        }
        """;

    /// <summary>MessagePack routines: types of primitives, enums, dates and other such types, nullables of them, a recursive type, and one that is not a routine.</summary>
    public const string Routines = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo.Routines;

        public enum Shade : byte { Light, Dark }

        public sealed record Size(int Width, int Height);

        public sealed record Tile(string Name, Shade Shade, Size Size);

        public sealed class Chain
        {
            public int Value { get; set; }
            public Chain? Next { get; set; }
        }

        public sealed record Stamped(Tile Tile, DateTime At, DateTimeOffset Seen, Guid Id, TimeSpan Took, byte[] Bytes, int? Count, Shade? Maybe);

        public sealed record Priced(Tile Tile, decimal Price, List<Size> Sizes);

        [MicroService("routines")]
        public interface IRoutines
        {
            Task<Tile> Paint(Tile tile, Shade shade);

            Task<Chain> Link(Chain chain);

            Task<Stamped> Stamp(Tile tile);

            Task<Priced> Price(Tile tile);
        }
        """;

    public static IEnumerable<TestCaseData> All()
    {
        yield return new TestCaseData(nameof(BasicGreeter), BasicGreeter).SetArgDisplayNames(nameof(BasicGreeter));
        yield return new TestCaseData(nameof(Shapes), Shapes).SetArgDisplayNames(nameof(Shapes));
        yield return new TestCaseData(nameof(Inheritance), Inheritance).SetArgDisplayNames(nameof(Inheritance));
        yield return new TestCaseData(nameof(GlobalNamespace), GlobalNamespace).SetArgDisplayNames(nameof(GlobalNamespace));
        yield return new TestCaseData(nameof(ShadowsSystem), ShadowsSystem).SetArgDisplayNames(nameof(ShadowsSystem));
        yield return new TestCaseData(nameof(NestedInterface), NestedInterface).SetArgDisplayNames(nameof(NestedInterface));
        yield return new TestCaseData(nameof(KeywordsAndAttributes), KeywordsAndAttributes).SetArgDisplayNames(nameof(KeywordsAndAttributes));
        yield return new TestCaseData(nameof(TypeZoo), TypeZoo).SetArgDisplayNames(nameof(TypeZoo));
        yield return new TestCaseData(nameof(Protobuf), Protobuf).SetArgDisplayNames(nameof(Protobuf));
        yield return new TestCaseData(nameof(Streaming), Streaming).SetArgDisplayNames(nameof(Streaming));
        yield return new TestCaseData(nameof(StreamingProtobuf), StreamingProtobuf).SetArgDisplayNames(nameof(StreamingProtobuf));
        yield return new TestCaseData(nameof(EventsOnly), EventsOnly).SetArgDisplayNames(nameof(EventsOnly));
        yield return new TestCaseData(nameof(Routines), Routines).SetArgDisplayNames(nameof(Routines));
    }
}
