using System;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Client;

/// <summary>The shape of a call.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary,
    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming,
    /// <summary>A stream of requests, one response.</summary>
    ClientStreaming,
    /// <summary>Streams both ways.</summary>
    DuplexStreaming,
}

/// <summary>Describes one endpoint of a contract; the generator emits one per method.</summary>
public abstract class MethodDescriptor
{
    private protected MethodDescriptor(string service, string endpoint, MethodType type, bool idempotent, string defaultContentType)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(defaultContentType);
        Service = service;
        Endpoint = endpoint;
        Type = type;
        Idempotent = idempotent;
        DefaultContentType = defaultContentType;
    }

    /// <summary>The service name clients discover, from <see cref="MicroServiceAttribute.Name"/>.</summary>
    public string Service { get; }

    /// <summary>The endpoint name, for example <c>Greeter.SayHello</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The shape of the call.</summary>
    public MethodType Type { get; }

    /// <summary>Whether the method is marked <see cref="IdempotentAttribute"/>: safe to retry after it may have run.</summary>
    public bool Idempotent { get; }

    /// <summary>
    /// The content type used unless the caller asks for another: <c>application/protobuf</c> when
    /// every payload is a protobuf message, <c>application/msgpack</c> otherwise.
    /// </summary>
    public string DefaultContentType { get; }

    /// <summary>The request payload type's name, advertised in the registry.</summary>
    public abstract string RequestTypeName { get; }

    /// <summary>The response payload type's name, advertised in the registry.</summary>
    public abstract string ResponseTypeName { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Service}/{Endpoint}";
}

/// <summary>A contract method with its payload types.</summary>
/// <typeparam name="TRequest">The request payload: the single argument, a generated argument struct, or <see cref="Codec.Empty"/>.</typeparam>
/// <typeparam name="TResponse">The response payload, or <see cref="Codec.Empty"/>.</typeparam>
public sealed class Method<TRequest, TResponse> : MethodDescriptor
{
    /// <summary>Creates the descriptor.</summary>
    public Method(string service, string endpoint, MethodType type = MethodType.Unary, bool idempotent = false, string defaultContentType = Codec.ContentTypes.MessagePack)
        : base(service, endpoint, type, idempotent, defaultContentType)
    {
    }

    /// <summary>
    /// Calls this method through <paramref name="client"/>: the same as
    /// <see cref="IClient.CallAsync{TRequest, TResponse}"/>, and what generated proxies call.
    /// </summary>
    /// <remarks>
    /// With a <see cref="MicroClient"/> this skips the interface's generic virtual call, which the
    /// runtime resolves on every call and, on a process's first call of each method, serves through a
    /// stub it compiles; an instance method of this class takes its types from the object instead.
    /// </remarks>
    /// <exception cref="MicroException">As for <see cref="IClient.CallAsync{TRequest, TResponse}"/>.</exception>
    /// <exception cref="OperationCanceledException">As for <see cref="IClient.CallAsync{TRequest, TResponse}"/>.</exception>
    public ValueTask<TResponse> CallAsync(IClient client, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client is MicroClient micro
            ? micro.CallAsync(this, request, options, cancellationToken)
            : client.CallAsync(this, request, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override string RequestTypeName => typeof(TRequest).Name;

    /// <inheritdoc/>
    public override string ResponseTypeName => typeof(TResponse).Name;
}
