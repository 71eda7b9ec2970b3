using System;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Broker;
using MicroGen.Client;
using MicroGen.Server;

namespace MicroGen.Service;

/// <summary>
/// go-micro's service: a named process bundling a client and a server over shared parts
/// (transport, registry, selector, broker, codecs). Create one with <see cref="Micro.CreateService"/>.
/// </summary>
public interface IService : IAsyncDisposable
{
    /// <summary>The service name.</summary>
    string Name { get; }

    /// <summary>The options the service was created with.</summary>
    ServiceOptions Options { get; }

    /// <summary>The client, for calls to other services.</summary>
    IClient Client { get; }

    /// <summary>The server, which serves the handlers added with <see cref="Handle{TService}"/>.</summary>
    IServer Server { get; }

    /// <summary>Serves contract <typeparamref name="TService"/> with <paramref name="handler"/>.</summary>
    IService Handle<TService>(TService handler) where TService : class;

    /// <summary>
    /// Subscribes <paramref name="handler"/> to typed events on <paramref name="topic"/>: registered
    /// now, active (found by publishers) once the service starts, removed when it stops. The event is
    /// decoded by the generated routines of <typeparamref name="TEvent"/> (a <c>[MicroEvent]</c> type or
    /// a protobuf message) in whatever content type it was published in; the envelope (message id,
    /// publisher, headers…) is <c>MicroContext.Current</c> and its <see cref="MicroContext.Event"/>.
    /// Returning acknowledges the event; throwing rejects it, which is logged and reported to the publisher.
    /// </summary>
    /// <param name="topic">The topic, for example <c>user.created</c>.</param>
    /// <param name="handler">Runs for each event delivered to this subscriber.</param>
    /// <param name="queue">A queue group: subscribers sharing it get each event once between them. Null gets every event.</param>
    /// <param name="options">Concurrency and redelivery; its <see cref="SubscribeOptions.Queue"/> is replaced by <paramref name="queue"/> when that is set.</param>
    /// <remarks>One overload taking a <see cref="Task"/>-returning handler: with a second one for
    /// <see cref="ValueTask"/>, <c>async (evt, ct) =&gt; await …</c> lambdas would be ambiguous.</remarks>
    /// <exception cref="InvalidOperationException">The service already started.</exception>
    IService Subscribe<TEvent>(string topic, Func<TEvent, CancellationToken, Task> handler, string? queue = null, SubscribeOptions? options = null);

    /// <summary>Starts the server (listen, register, heartbeat) and activates the subscriptions.</summary>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the subscriptions (in-flight handlers finish) and stops the server gracefully: drain, deregister, close.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts, runs until <paramref name="cancellationToken"/> fires, then stops gracefully.</summary>
    Task RunAsync(CancellationToken cancellationToken = default);
}
