using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
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
// The harness measures the same line from outside, from Process.Start.

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: MicroGen.Bench.Startup microgen-msgpack|microgen-protobuf|grpc-dotnet <host:port> <payload bytes>");
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
        _ => throw new ArgumentException($"unknown system {system}"),
    };
}
catch (Exception e)
{
    Console.Out.WriteLine($"FIRST_REPLY failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}
using var self = Process.GetCurrentProcess();
var sinceStart = (DateTime.Now - self.StartTime).TotalMilliseconds;
var ok = string.Equals(message, expected, StringComparison.Ordinal);
Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIRST_REPLY {(ok ? "ok" : "wrong-content")} {sinceStart:0.0}"));
Console.Out.Flush();
return ok ? 0 : 1;

static async Task<string> CallMicroGenAsync(bool msgpack, string address, string name)
{
    // As the load harness's client: a client alone on the default TCP transport, the server's address given directly.
    await using var client = Micro.CreateClient(o => o.Registry = new InMemoryRegistry());
    var options = new CallOptions { Address = address };
    return msgpack
        ? (await client.For<IHelloMsgPack>(options).SayHello(new HelloRequestDto { Name = name })).Message
        : (await client.For<IHelloProtobuf>(options).SayHello(new HelloRequest { Name = name })).Message;
}

static async Task<string> CallGrpcAsync(string address, string name)
{
    // As the load harness's grpc-dotnet client (GrpcSystem.CreateChannel).
    using var channel = GrpcChannel.ForAddress($"http://{address}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        },
    });
    var reply = await new Greeter.GreeterClient(channel).SayHelloAsync(new HelloRequest { Name = name });
    return reply.Message;
}
