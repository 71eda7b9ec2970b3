using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Client;
using MicroGen.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MicroGen.Hosting;

/// <summary>Adds handlers, subscribers and clients to the MicroGen service registered by <see cref="MicroGenServiceCollectionExtensions.AddMicroGen"/>.</summary>
public sealed class MicroGenBuilder
{
    private readonly List<Action<IService, IServiceProvider>> _handlers = new();

    internal MicroGenBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<Action<IService, IServiceProvider>> Handlers => _handlers;

    /// <summary>
    /// Serves contract <typeparamref name="TService"/> with a <typeparamref name="THandler"/>
    /// resolved from the container (registered as a singleton unless already registered).
    /// </summary>
    public MicroGenBuilder AddHandler<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>()
        where TService : class
        where THandler : class, TService
    {
        Services.TryAddSingleton<THandler>();
        _handlers.Add(static (service, provider) => service.Handle<TService>(provider.GetRequiredService<THandler>()));
        return this;
    }

    /// <summary>Serves contract <typeparamref name="TService"/> with the given handler instance.</summary>
    public MicroGenBuilder AddHandler<TService>(TService handler) where TService : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add((service, _) => service.Handle(handler));
        return this;
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to typed events on <paramref name="topic"/> while the host
    /// runs (see <see cref="IService.Subscribe{TEvent}"/>); the handler gets the container to resolve
    /// what it needs.
    /// </summary>
    public MicroGenBuilder AddSubscriber<TEvent>(string topic, Func<IServiceProvider, TEvent, CancellationToken, Task> handler, string? queue = null, SubscribeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add((service, provider) => service.Subscribe<TEvent>(topic, (evt, ct) => handler(provider, evt, ct), queue, options));
        return this;
    }

    /// <summary>Subscribes <paramref name="handler"/> to typed events on <paramref name="topic"/> while the host runs.</summary>
    public MicroGenBuilder AddSubscriber<TEvent>(string topic, Func<TEvent, CancellationToken, Task> handler, string? queue = null, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddSubscriber<TEvent>(topic, (_, evt, ct) => handler(evt, ct), queue, options);
    }

    /// <summary>
    /// Registers <typeparamref name="TService"/> as a singleton: the generated client proxy over the
    /// service's client, so it can be injected wherever the contract is needed.
    /// </summary>
    public MicroGenBuilder AddClient<TService>(CallOptions? options = null) where TService : class
    {
        Services.TryAddSingleton(provider => provider.GetRequiredService<IClient>().For<TService>(options));
        return this;
    }
}
