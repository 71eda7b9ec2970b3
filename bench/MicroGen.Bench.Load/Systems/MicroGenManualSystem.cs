using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Server;
using MicroGen.Service;
using MicroGen.Transport;

namespace MicroGen.Bench.Load.Systems;

/// <summary>
/// MicroGen's runtime and TCP transport without generated code: <see cref="IClient.CallAsync"/>
/// with a <c>Method&lt;string, string&gt;</c> and a hand-written dispatcher (MessagePack strings).
/// Not in the default set (<c>--systems microgen-manual</c>): it separates the cost of the runtime
/// and transport from that of the generated proxy, dispatcher and codecs.
/// </summary>
internal sealed class MicroGenManualSystem : IBenchSystem
{
    private static readonly Method<string, string> s_sayHello = new("bench-manual", "Manual.SayHello");

    public string Name => BenchSystems.MicroGenManual;

    public string? StreamingUnsupported => "n/a (not measured for the manual system)";

    public async Task<IBenchServer> StartServerAsync()
    {
        var service = Micro.CreateService(o =>
        {
            o.Name = Name;
            o.Transport = new TcpTransport(new TcpTransportOptions());
            o.Registry = new InMemoryRegistry();
            o.Address = "127.0.0.1:0";
        });
        service.Server.AddDispatcher(new Dispatcher());
        await service.StartAsync().ConfigureAwait(false);
        return new Server(service);
    }

    public Task<IBenchClient> ConnectAsync(string address)
    {
        var service = Micro.CreateService(o =>
        {
            o.Name = "bench-client";
            o.Transport = new TcpTransport(new TcpTransportOptions());
            o.Registry = new InMemoryRegistry();
        });
        return Task.FromResult<IBenchClient>(new Client(service, address));
    }

    public long ServerUserBytes(Payload payload) => BenchSystems.Measure(() => "Hello " + new string(payload.Name));

    public long ClientUserBytes(Payload payload) => BenchSystems.Measure(() => new string(payload.Expected));

    private sealed class Dispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("bench-manual", "1.0.0", "Manual", new MethodDescriptor[] { s_sayHello });

        public ValueTask DispatchAsync(ServerCall call)
        {
            if (call.Endpoint != "Manual.SayHello")
            {
                throw call.EndpointNotFound();
            }
            call.WriteResponse("Hello " + call.ReadRequest<string>());
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Server(IService service) : IBenchServer
    {
        public string Address => service.Server.Address!;

        public ValueTask DisposeAsync() => service.DisposeAsync();
    }

    private sealed class Client(IService service, string address) : IBenchClient
    {
        private readonly CallOptions _options = new() { Address = address };

        public UnaryCaller CreateCaller(int worker, Payload payload) => new Caller(service.Client, _options, payload);

        public Task<long> StreamAsync(Payload payload, int count, CancellationToken cancellationToken) =>
            throw new NotSupportedException("not measured for the manual system");

        public ValueTask DisposeAsync() => service.DisposeAsync();
    }

    private sealed class Caller(IClient client, CallOptions options, Payload payload) : UnaryCaller
    {
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<bool> CallAsync()
        {
            var reply = await client.CallAsync(s_sayHello, payload.Name, options).ConfigureAwait(false);
            return string.Equals(reply, payload.Expected, StringComparison.Ordinal);
        }
    }
}
