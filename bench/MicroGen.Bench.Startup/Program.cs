using System;
using System.Diagnostics;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Net.Client;
using MicroGen;
using MicroGen.Bench.Load;
using MicroGen.Bench.Load.Protos;
using MicroGen.Client;
using MicroGen.Registry;

// The start-up client of the load harness: `MicroGen.Bench.Startup <system> <address> <payload>`
// connects to a running benchmark server, makes one SayHello call, checks the reply and prints
// `FIRST_REPLY ok <ms since the OS started this process>` (or `FIRST_REPLY failed ...`).
// The harness measures the same line from outside, from Process.Start. The time is taken when the
// reply is in hand; closing the client comes after the line, as in the harness's own client. `floor` is the least a first
// reply can cost in the same build: one socket, one frame of the floor server's protocol out, its
// reply in, no framework at all.

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: MicroGen.Bench.Startup microgen-msgpack|microgen-protobuf|grpc-dotnet|floor <host:port> <payload bytes>");
    return 2;
}
var (system, address, payload) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
var name = new string('x', payload);
var expected = "Hello " + name;

string message;
try
{
    message = system switch
    {
        "microgen-msgpack" or "microgen-protobuf" => await CallMicroGenAsync(system == "microgen-msgpack", address, name),
        "grpc-dotnet" => await CallGrpcAsync(address, name),
        "floor" => await CallFloorAsync(address, name),
        _ => throw new ArgumentException($"unknown system {system}"),
    };
}
catch (Exception e)
{
    Console.Out.WriteLine($"FIRST_REPLY failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}
using var self = Process.GetCurrentProcess();
var sinceStart = (Reply.At - self.StartTime).TotalMilliseconds;
var ok = string.Equals(message, expected, StringComparison.Ordinal);
Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIRST_REPLY {(ok ? "ok" : "wrong-content")} {sinceStart:0.0}"));
Console.Out.Flush();
if (Environment.GetEnvironmentVariable("MICROGEN_BENCH_STARTUP_TRACE") == "1")
{
    // Diagnosis only: what the JIT did before the line (Native AOT reports 0).
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"TRACE jit to first reply {Reply.JitMethods} methods {Reply.JitTime.TotalMilliseconds:0.0} ms, to exit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods; assemblies loaded {Reply.Assemblies}"));
}
// Closing the client is not part of the first reply: it comes after the line.
foreach (var resource in Reply.Resources)
{
    if (resource is IAsyncDisposable asyncDisposable)
    {
        await asyncDisposable.DisposeAsync();
    }
    else
    {
        ((IDisposable)resource).Dispose();
    }
}
return ok ? 0 : 1;

static async Task<string> CallMicroGenAsync(bool msgpack, string address, string name)
{
    // As the load harness's client: a client alone on the default TCP transport, the server's address given directly.
    var client = Reply.Keep(Micro.CreateClient(o => o.Registry = new InMemoryRegistry()));
    var options = new CallOptions { Address = address };
    var message = msgpack
        ? (await client.For<IHelloMsgPack>(options).SayHello(new HelloRequestDto { Name = name })).Message
        : (await client.For<IHelloProtobuf>(options).SayHello(new HelloRequest { Name = name })).Message;
    Reply.Received();
    return message;
}

static async Task<string> CallGrpcAsync(string address, string name)
{
    // As the load harness's grpc-dotnet client (GrpcSystem.CreateChannel).
    var channel = Reply.Keep(GrpcChannel.ForAddress($"http://{address}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        },
    }));
    var reply = await new Greeter.GreeterClient(channel).SayHelloAsync(new HelloRequest { Name = name });
    Reply.Received();
    return reply.Message;
}

static async Task<string> CallFloorAsync(string address, string name)
{
    // The floor server's frame (FloorSystem): [int32 id][int32 length][payload], little-endian; the
    // reply carries "Hello " + payload under the same id.
    var socket = Reply.Keep(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
    await socket.ConnectAsync(IPEndPoint.Parse(address));
    var payload = Encoding.UTF8.GetBytes(name);
    var request = new byte[8 + payload.Length];
    BinaryPrimitives.WriteInt32LittleEndian(request, 1);
    BinaryPrimitives.WriteInt32LittleEndian(request.AsSpan(4), payload.Length);
    payload.CopyTo(request, 8);
    await socket.SendAsync(request);
    var header = new byte[8];
    await ReceiveExactlyAsync(socket, header);
    var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
    if (BinaryPrimitives.ReadInt32LittleEndian(header) != 1 || length < 0 || length > 1 << 20)
    {
        throw new InvalidOperationException("the floor server answered with an unexpected frame");
    }
    var reply = new byte[length];
    await ReceiveExactlyAsync(socket, reply);
    Reply.Received();
    return Encoding.UTF8.GetString(reply);
}

static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer)
{
    while (buffer.Length > 0)
    {
        var received = await socket.ReceiveAsync(buffer);
        if (received == 0)
        {
            throw new InvalidOperationException("the floor server closed the connection before replying");
        }
        buffer = buffer[received..];
    }
}

/// <summary>When the first reply was in hand (closing the client comes later, outside the measure).</summary>
internal static class Reply
{
    public static DateTime At;
    public static long JitMethods;
    public static TimeSpan JitTime;
    public static string? Assemblies;

    /// <summary>The clients to close once the line is out.</summary>
    public static readonly List<object> Resources = [];

    public static T Keep<T>(T resource) where T : class
    {
        Resources.Add(resource);
        return resource;
    }

    public static void Received()
    {
        At = DateTime.Now;
        JitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        JitTime = System.Runtime.JitInfo.GetCompilationTime();
        if (Environment.GetEnvironmentVariable("MICROGEN_BENCH_STARTUP_TRACE") == "1")
        {
            Assemblies = string.Join(' ', AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name));
        }
    }
}
