using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Registry;
using MicroGen.Service;
using MicroGen.Transport;

namespace MicroGen.Tests.EndToEnd;

/// <summary>The transports every end-to-end test body runs on.</summary>
public static class Transports
{
    public static IEnumerable<string> All => new[] { "memory", "tcp" };

    public static ITransport Create(string kind) => kind switch
    {
        "memory" => new InMemoryTransport(),
        "tcp" => new TcpTransport(new TcpTransportOptions { Address = "127.0.0.1:0" }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown transport"),
    };
}

/// <summary>A transport that counts the connections dialled through it, and is otherwise the real one.</summary>
public sealed class DialCountingTransport(ITransport inner) : ITransport
{
    private int _dials;

    /// <summary>How many connections were dialled.</summary>
    public int Dials => Volatile.Read(ref _dials);

    public string Name => inner.Name;

    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(address, handler, cancellationToken);

    public ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _dials);
        return inner.DialAsync(address, cancellationToken);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>A server service and a caller service on one transport kind and one in-memory registry.</summary>
public sealed class ServicePair : IAsyncDisposable
{
    private ServicePair(InMemoryRegistry registry, IService server, IService caller)
    {
        Registry = registry;
        Server = server;
        Caller = caller;
    }

    public InMemoryRegistry Registry { get; }

    public IService Server { get; }

    public IService Caller { get; }

    /// <summary>Starts a server named <paramref name="name"/> with the handlers <paramref name="handle"/> adds, and a caller.</summary>
    public static async Task<ServicePair> StartAsync(string transport, string name, Action<IService> handle)
    {
        var registry = new InMemoryRegistry();
        var server = Micro.CreateService(o =>
        {
            o.Name = name;
            o.Registry = registry;
            o.Transport = Transports.Create(transport);
        });
        handle(server);
        await server.StartAsync().Bounded();
        var caller = Micro.CreateService(o =>
        {
            o.Name = "caller";
            o.Registry = registry;
            o.Transport = Transports.Create(transport);
        });
        return new ServicePair(registry, server, caller);
    }

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Server.DisposeAsync();
        // The transports were handed in through the options, so they are ours to close.
        await Server.Options.Transport!.DisposeAsync();
        await Caller.Options.Transport!.DisposeAsync();
    }
}
