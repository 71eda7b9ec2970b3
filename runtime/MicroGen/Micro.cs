using System;
using System.Collections.Generic;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Service;

namespace MicroGen;

/// <summary>The entry point: <c>Micro.CreateService(o => o.Name = "greeter")</c>, as go-micro's <c>micro.NewService</c>.</summary>
public static class Micro
{
    /// <summary>Creates a service; parts left unset in <paramref name="configure"/> use the embedded defaults.</summary>
    public static IService CreateService(Action<ServiceOptions>? configure = null)
    {
        var options = new ServiceOptions();
        configure?.Invoke(options);
        return new MicroService(options);
    }

    /// <summary>
    /// Creates a client alone, for a process that only calls: no server, no broker. Parts left unset
    /// in <paramref name="configure"/> are the embedded defaults of a service's client (TCP, the
    /// file-system registry), and lookups go through a watched cache as a service's do. The parts it
    /// creates are disposed with the client; the ones handed in are not.
    /// </summary>
    /// <remarks>
    /// <code>
    /// await using var client = Micro.CreateClient();
    /// var reply = await client.For&lt;IGreeter&gt;().SayHello(new HelloRequest { Name = "Ada" });
    /// </code>
    /// Publishing needs a broker: set <see cref="ClientOptions.Broker"/>, or use a service.
    /// </remarks>
    public static IClient CreateClient(Action<ClientOptions>? configure = null)
    {
        var options = new ClientOptions { Transport = null!, Registry = null! };
        configure?.Invoke(options);
        var owned = new List<IAsyncDisposable>();
        if (options.Transport is null)
        {
            options.Transport = MicroService.DefaultTransport(options.LoggerFactory);
            owned.Add(options.Transport);
        }
        if (options.Registry is null)
        {
            options.Registry = MicroService.DefaultRegistry(options.LoggerFactory);
            owned.Add(options.Registry);
        }
        if (options.Registry is not (InMemoryRegistry or CachingRegistry))
        {
            options.Registry = new CachingRegistry(options.Registry, new CachingRegistryOptions { LoggerFactory = options.LoggerFactory });
            // The cache before what it caches.
            owned.Insert(0, options.Registry);
        }
        return new MicroClient(options, owned);
    }
}
