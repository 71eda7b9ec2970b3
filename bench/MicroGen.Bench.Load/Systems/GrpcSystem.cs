using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Net.Client;
using MicroGen.Bench.Load.Protos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroGen.Bench.Load.Systems;

/// <summary>
/// grpc-dotnet as recommended for production: Grpc.AspNetCore on Kestrel (HTTP/2 without TLS,
/// "h2c" with prior knowledge) and one <see cref="GrpcChannel"/> per client process over a
/// <see cref="SocketsHttpHandler"/> with <c>EnableMultipleHttp2Connections</c>, keep-alive pings
/// and no idle timeout. Calls set no deadline (grpc-dotnet's default), which spares grpc-dotnet
/// a timer per call that MicroGen's 5 s default deadline costs it: a conservative comparison.
/// </summary>
internal sealed class GrpcSystem : IBenchSystem
{
    public string Name => BenchSystems.Grpc;

    public string? StreamingUnsupported => null;

    public async Task<IBenchServer> StartServerAsync()
    {
        var builder = WebApplication.CreateBuilder(Array.Empty<string>());
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<GreeterService>();
        await app.StartAsync().ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = new Uri(addresses.First());
        return new Server(app, $"{address.Host}:{address.Port}");
    }

    public Task<IBenchClient> ConnectAsync(string address) => Task.FromResult<IBenchClient>(new Client(address));

    public long ServerUserBytes(Payload payload) => BenchSystems.Measure(() =>
    {
        var request = new HelloRequest { Name = new string(payload.Name) };
        return Task.FromResult(new HelloReply { Message = "Hello " + request.Name });
    });

    public long ClientUserBytes(Payload payload) => BenchSystems.Measure(() => new HelloReply { Message = new string(payload.Expected) });

    /// <summary>Creates the channel the way grpc-dotnet's performance guidance recommends.</summary>
    public static GrpcChannel CreateChannel(string address) =>
        GrpcChannel.ForAddress($"http://{address}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            },
        });

    private sealed class GreeterService : Greeter.GreeterBase
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
            Task.FromResult(new HelloReply { Message = "Hello " + request.Name });

        public override async Task StreamHello(StreamRequest request, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
        {
            var reply = new HelloReply { Message = "Hello " + request.Name };
            for (var i = 0; i < request.Count; i++)
            {
                await responseStream.WriteAsync(reply).ConfigureAwait(false);
            }
        }
    }

    private sealed class Server(WebApplication app, string address) : IBenchServer
    {
        public string Address { get; } = address;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Client(string address) : IBenchClient
    {
        private readonly GrpcChannel _channel = CreateChannel(address);

        public UnaryCaller CreateCaller(int worker, Payload payload) => new Caller(new Greeter.GreeterClient(_channel), payload);

        public async Task<long> StreamAsync(Payload payload, int count, CancellationToken cancellationToken)
        {
            var client = new Greeter.GreeterClient(_channel);
            using var call = client.StreamHello(new StreamRequest { Name = payload.Name, Count = count }, cancellationToken: cancellationToken);
            long received = 0;
            var stream = call.ResponseStream;
            while (await stream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (!string.Equals(stream.Current.Message, payload.Expected, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"stream message {received} has the wrong content");
                }
                received++;
            }
            return received;
        }

        public ValueTask DisposeAsync()
        {
            _channel.Dispose();
            return ValueTask.CompletedTask;
        }

        private sealed class Caller(Greeter.GreeterClient client, Payload payload) : UnaryCaller
        {
            private readonly HelloRequest _request = new() { Name = payload.Name };

            [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
            public override async ValueTask<bool> CallAsync()
            {
                var reply = await client.SayHelloAsync(_request).ConfigureAwait(false);
                return string.Equals(reply.Message, payload.Expected, StringComparison.Ordinal);
            }
        }
    }
}
