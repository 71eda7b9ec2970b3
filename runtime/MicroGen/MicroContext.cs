using System;
using System.Threading;
using MicroGen.Broker;

namespace MicroGen;

/// <summary>
/// The ambient per-call context, go-micro's <c>context</c> + <c>metadata</c>: on the caller, the
/// headers sent with every call made inside it; in a handler, the headers the caller sent.
/// </summary>
/// <remarks>
/// <para>Caller side:</para>
/// <code>
/// using var scope = MicroContext.Begin();
/// scope.Context.Metadata["tenant"] = "acme";
/// var reply = await greeter.SayHello(request);
/// var served = scope.Context.ResponseMetadata.Get("served-by");
/// </code>
/// <para>Handler side, <see cref="Current"/> holds the incoming headers, the deadline and the call
/// token; headers put into <see cref="ResponseMetadata"/> go back with the reply. A call made from
/// inside a handler carries the handler's incoming headers on, as go-micro propagates metadata.</para>
/// <para>Instances are not thread-safe: share one between concurrent calls only for reading.</para>
/// <para>In a handler, the context and its <see cref="CancellationToken"/> belong to the call and are
/// valid until the handler returns (or its stream completes): the server reuses them for later
/// calls, as ASP.NET Core reuses <c>HttpContext</c>. Copy what background work started by a handler
/// needs (<see cref="Metadata"/>'s values, the deadline) rather than keeping the context.</para>
/// </remarks>
public sealed class MicroContext
{
    private static readonly AsyncLocal<MicroContext?> s_current = new();
    private Metadata? _metadata;
    private Metadata? _responseMetadata;

    /// <summary>Creates an empty caller-side context.</summary>
    public MicroContext()
    {
    }

    internal MicroContext(Metadata? metadata, string service, string endpoint, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        Reset(metadata, service, endpoint, deadline, cancellationToken);
    }

    internal MicroContext(BrokerMessage message, CancellationToken cancellationToken)
    {
        _metadata = message.Headers;
        Service = message.Publisher ?? string.Empty;
        Endpoint = message.Topic;
        CancellationToken = cancellationToken;
        IsServerSide = true;
        Event = EventInfo.From(message);
    }

    /// <summary>The context of the current asynchronous flow, or <see langword="null"/> when none was begun.</summary>
    public static MicroContext? Current => s_current.Value;

    /// <summary>Request headers: sent by calls made in this context; in a handler, those the caller sent.</summary>
    public Metadata Metadata => _metadata ??= new Metadata();

    /// <summary>
    /// Response headers: in a handler, the headers to send back with the reply; on a caller, the
    /// headers the last completed call inside this context received.
    /// </summary>
    public Metadata ResponseMetadata => _responseMetadata ??= new Metadata();

    /// <summary>In a handler: the service the call was addressed to. Empty on a caller.</summary>
    public string Service { get; private set; } = string.Empty;

    /// <summary>In a handler: the endpoint called, for example <c>Greeter.SayHello</c>. Empty on a caller.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>In a handler: when the caller stops waiting, if it set a timeout.</summary>
    public DateTimeOffset? Deadline { get; private set; }

    /// <summary>In a handler: fires when the caller cancels, the deadline passes or the server stops.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>Whether this is a handler's incoming context.</summary>
    public bool IsServerSide { get; private set; }

    /// <summary>
    /// In an event handler: the envelope of the event (message id, topic, publisher, timestamp,
    /// content type, queue group, redelivery count); its headers are <see cref="Metadata"/>, and
    /// <see cref="Service"/> and <see cref="Endpoint"/> hold the publisher and the topic. Null elsewhere.
    /// </summary>
    public EventInfo? Event { get; }

    internal bool HasMetadata => _metadata is { Count: > 0 };

    internal bool HasResponseMetadata => _responseMetadata is { Count: > 0 };

    internal Metadata? MetadataOrNull => _metadata;

    internal Metadata? ResponseMetadataOrNull => _responseMetadata;

    /// <summary>Makes this a handler's context for a new call (the server pools its contexts).</summary>
    internal void Reset(Metadata? metadata, string service, string endpoint, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        _metadata = metadata;
        _responseMetadata = null;
        Service = service;
        Endpoint = endpoint;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        IsServerSide = true;
    }

    /// <summary>
    /// Begins a caller-side context for the current asynchronous flow; disposing the scope restores
    /// the previous one. The new context starts with a copy of the current context's request headers.
    /// </summary>
    public static Scope Begin()
    {
        var context = new MicroContext();
        if (s_current.Value is { HasMetadata: true } outer)
        {
            context.Metadata.MergeFrom(outer._metadata);
        }
        return Begin(context);
    }

    /// <summary>Makes <paramref name="context"/> current until the returned scope is disposed.</summary>
    public static Scope Begin(MicroContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var previous = s_current.Value;
        s_current.Value = context;
        return new Scope(context, previous);
    }

    /// <summary>Restores the previous context when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly MicroContext? _previous;

        internal Scope(MicroContext context, MicroContext? previous)
        {
            Context = context;
            _previous = previous;
        }

        /// <summary>The context this scope made current.</summary>
        public MicroContext Context { get; }

        /// <inheritdoc/>
        public void Dispose() => s_current.Value = _previous;
    }
}
