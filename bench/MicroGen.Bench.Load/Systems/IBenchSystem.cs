using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Bench.Load.Systems;

/// <summary>One system under test: how to serve SayHello in the server process and call it from the client.</summary>
internal interface IBenchSystem
{
    /// <summary>The name used on the command line and in the JSON (<c>grpc-dotnet</c>, <c>floor</c>…).</summary>
    string Name { get; }

    /// <summary>Null when the system streams; else why it does not (reported instead of a figure).</summary>
    string? StreamingUnsupported { get; }

    /// <summary>Starts the server (in the server process) on a free loopback port.</summary>
    Task<IBenchServer> StartServerAsync();

    /// <summary>Connects a client to <paramref name="address"/> (in the client process).</summary>
    Task<IBenchClient> ConnectAsync(string address);

    /// <summary>
    /// The bytes a call allocates in user code on the server (request, reply, their strings, the
    /// handler's task), measured by doing exactly that work; subtracted to show the framework's share.
    /// </summary>
    long ServerUserBytes(Payload payload);

    /// <summary>The bytes of the reply object and its string the client receives per call.</summary>
    long ClientUserBytes(Payload payload);
}

internal interface IBenchServer : IAsyncDisposable
{
    string Address { get; }
}

internal interface IBenchClient : IAsyncDisposable
{
    /// <summary>
    /// A caller for one closed-loop worker. The caller keeps its request object and reuses it, so
    /// the client's per-call allocations are the framework's plus the reply it returns.
    /// </summary>
    UnaryCaller CreateCaller(int worker, Payload payload);

    /// <summary>
    /// Opens one server stream of <paramref name="count"/> messages and reads them all, checking
    /// every message; returns how many arrived intact.
    /// </summary>
    Task<long> StreamAsync(Payload payload, int count, CancellationToken cancellationToken);
}

internal abstract class UnaryCaller
{
    /// <summary>Makes one call; true when the reply's content is exactly the expected one.</summary>
    public abstract ValueTask<bool> CallAsync();
}

/// <summary>The systems, by name.</summary>
internal static class BenchSystems
{
    public const string MicroGenMsgPack = "microgen-msgpack";
    public const string MicroGenProtobuf = "microgen-protobuf";
    public const string Grpc = "grpc-dotnet";
    public const string Floor = "floor";
    public const string MicroGenManual = "microgen-manual";
    public const string MicroGenRegistry = "microgen-registry";

    public static readonly string[] All = [MicroGenMsgPack, MicroGenProtobuf, Grpc, Floor];

    /// <summary>The order systems are listed in reports.</summary>
    public static int Rank(string name) => name switch
    {
        MicroGenMsgPack => 0,
        MicroGenProtobuf => 1,
        MicroGenManual => 2,
        MicroGenRegistry => 2,
        Grpc => 3,
        Floor => 4,
        _ => 5,
    };

    public static bool IsMicroGen(string name) => name.StartsWith("microgen", StringComparison.Ordinal);

    public static IBenchSystem Get(string name) => name switch
    {
        MicroGenMsgPack => new MicroGenSystem(msgpack: true),
        MicroGenProtobuf => new MicroGenSystem(msgpack: false),
        Grpc => new GrpcSystem(),
        Floor => new FloorSystem(),
        MicroGenManual => new MicroGenManualSystem(),
        MicroGenRegistry => new MicroGenSystem(msgpack: true, viaRegistry: true),
        _ => throw new ArgumentException($"unknown system '{name}'; known: {string.Join(", ", All)}"),
    };

    /// <summary>Measures the bytes <paramref name="work"/> allocates on this thread (after a warm-up run).</summary>
    public static long Measure(Func<object> work)
    {
        GC.KeepAlive(work());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var kept = work();
        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(kept);
        return after - before;
    }
}
