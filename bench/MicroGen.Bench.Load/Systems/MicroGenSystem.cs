using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Bench.Load.Protos;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Service;
using MicroGen.Transport;

namespace MicroGen.Bench.Load.Systems;

/// <summary>
/// MicroGen over its TCP transport with the generated proxy and dispatcher: the MessagePack
/// contract (<see cref="IHelloMsgPack"/>) or the protobuf one (<see cref="IHelloProtobuf"/>). The
/// client calls the server's address directly (<see cref="CallOptions.Address"/>), so no registry
/// lookup is on the path, as grpc-dotnet's channel has none; everything else is the defaults.
/// <c>microgen-registry</c> (not in the default set) is the MessagePack one routed as an application
/// routes by default: no address, the node found through a cached registry and picked by the
/// default selector on every call.
/// </summary>
internal sealed class MicroGenSystem(bool msgpack, bool viaRegistry = false) : IBenchSystem
{
    public string Name => viaRegistry ? BenchSystems.MicroGenRegistry : msgpack ? BenchSystems.MicroGenMsgPack : BenchSystems.MicroGenProtobuf;

    public string? StreamingUnsupported => null;

    public async Task<IBenchServer> StartServerAsync()
    {
        var service = Micro.CreateService(o =>
        {
            o.Name = Name;
            o.Transport = CreateTransport();
            o.Registry = new InMemoryRegistry();
            o.Address = "127.0.0.1:0";
        });
        if (msgpack)
        {
            service.Handle<IHelloMsgPack>(new HelloMsgPackHandler());
        }
        else
        {
            service.Handle<IHelloProtobuf>(new HelloProtobufHandler());
        }
        await service.StartAsync().ConfigureAwait(false);
        return new Server(service);
    }

    public Task<IBenchClient> ConnectAsync(string address)
    {
        if (!ServiceContracts.TryGet<IHelloMsgPack>(out _) || !ServiceContracts.TryGet<IHelloProtobuf>(out _))
        {
            throw new NotSupportedException("no generated code is registered for the benchmark contracts (the source generator is not in this build)");
        }
        // A client alone, as grpc-dotnet's side is a channel alone: the default TCP transport, owned by the client.
        if (!viaRegistry)
        {
            var client = Micro.CreateClient(o => o.Registry = new InMemoryRegistry());
            return Task.FromResult<IBenchClient>(new Client(client, address, msgpack));
        }
        return ConnectThroughRegistryAsync(address);
    }

    private static async Task<IBenchClient> ConnectThroughRegistryAsync(string address)
    {
        // The server runs in another process: its node is registered here, in the in-memory registry
        // behind the cache every client puts in front of a remote registry (Micro.CreateClient).
        var registry = new InMemoryRegistry();
        await registry.RegisterAsync(
            new ServiceInfo { Name = "bench-msgpack", Version = "1.0.0", Nodes = [new Node { Id = "bench-msgpack-1", Address = address }] },
            new RegisterOptions(TimeSpan.FromDays(1))).ConfigureAwait(false);
        var cache = new CachingRegistry(registry);
        var client = Micro.CreateClient(o => o.Registry = cache);
        return new Client(client, address: null, msgpack: true, owned: cache);
    }

    public long ServerUserBytes(Payload payload) => msgpack
        ? BenchSystems.Measure(() =>
        {
            var request = new HelloRequestDto { Name = new string(payload.Name) };
            return Task.FromResult(new HelloReplyDto { Message = "Hello " + request.Name });
        })
        : BenchSystems.Measure(() =>
        {
            var request = new HelloRequest { Name = new string(payload.Name) };
            return Task.FromResult(new HelloReply { Message = "Hello " + request.Name });
        });

    public long ClientUserBytes(Payload payload) => msgpack
        ? BenchSystems.Measure(() => new HelloReplyDto { Message = new string(payload.Expected) })
        : BenchSystems.Measure(() => new HelloReply { Message = new string(payload.Expected) });

    private static ITransport CreateTransport()
    {
        return new TcpTransport(new TcpTransportOptions());
    }

    private sealed class Server(IService service) : IBenchServer
    {
        public string Address => service.Server.Address!;

        public ValueTask DisposeAsync() => service.DisposeAsync();
    }

    private sealed class Client(IClient client, string? address, bool msgpack, IAsyncDisposable? owned = null) : IBenchClient
    {
        private readonly CallOptions _options = new() { Address = address };

        public UnaryCaller CreateCaller(int worker, Payload payload) => msgpack
            ? new MsgPackCaller(client.For<IHelloMsgPack>(_options), payload)
            : new ProtobufCaller(client.For<IHelloProtobuf>(_options), payload);

        public async Task<long> StreamAsync(Payload payload, int count, CancellationToken cancellationToken)
        {
            long received = 0;
            if (msgpack)
            {
                var proxy = client.For<IHelloMsgPack>(_options);
                await foreach (var reply in proxy.StreamHello(new StreamRequestDto { Name = payload.Name, Count = count }, cancellationToken).ConfigureAwait(false))
                {
                    received += Check(reply.Message, payload, received);
                }
            }
            else
            {
                var proxy = client.For<IHelloProtobuf>(_options);
                await foreach (var reply in proxy.StreamHello(new StreamRequest { Name = payload.Name, Count = count }, cancellationToken).ConfigureAwait(false))
                {
                    received += Check(reply.Message, payload, received);
                }
            }
            return received;
        }

        private static int Check(string message, Payload payload, long index) =>
            string.Equals(message, payload.Expected, StringComparison.Ordinal)
                ? 1
                : throw new InvalidOperationException($"stream message {index} has the wrong content");

        public async ValueTask DisposeAsync()
        {
            await client.DisposeAsync().ConfigureAwait(false);
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class MsgPackCaller(IHelloMsgPack proxy, Payload payload) : UnaryCaller
    {
        private readonly HelloRequestDto _request = new() { Name = payload.Name };

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<bool> CallAsync()
        {
            var reply = await proxy.SayHello(_request).ConfigureAwait(false);
            return string.Equals(reply.Message, payload.Expected, StringComparison.Ordinal);
        }
    }

    private sealed class ProtobufCaller(IHelloProtobuf proxy, Payload payload) : UnaryCaller
    {
        private readonly HelloRequest _request = new() { Name = payload.Name };

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<bool> CallAsync()
        {
            var reply = await proxy.SayHello(_request).ConfigureAwait(false);
            return string.Equals(reply.Message, payload.Expected, StringComparison.Ordinal);
        }
    }
}
