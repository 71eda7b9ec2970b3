using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Server;

/// <summary>
/// One incoming call as a generated dispatcher sees it: the endpoint, the decoded request and the
/// place to write the reply, in the caller's content type.
/// </summary>
public abstract class ServerCall
{
    /// <summary>The endpoint called, for example <c>Greeter.SayHello</c>.</summary>
    public abstract string Endpoint { get; }

    /// <summary>Fires when the caller cancels, the deadline passes or the server stops.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>The call's context (headers, deadline), also current as <see cref="MicroContext.Current"/> in the handler.</summary>
    public abstract MicroContext Context { get; }

    /// <summary>Decodes the request body as <typeparamref name="TRequest"/> with the caller's codec.</summary>
    /// <exception cref="MicroException">Code 400 when the body is malformed.</exception>
    public abstract TRequest ReadRequest<TRequest>();

    /// <summary>Encodes <paramref name="response"/> as the reply, in the caller's content type.</summary>
    public abstract void WriteResponse<TResponse>(TResponse response);

    /// <summary>
    /// In a client-streaming or duplex call: the caller's items, decoded as they arrive, ending when
    /// the caller completes its side. Enumerate it once.
    /// </summary>
    /// <exception cref="MicroException">Code 405 on a call that carries no stream from the caller.</exception>
    public virtual IAsyncEnumerable<TItem> ReadStream<TItem>() =>
        throw new MicroException(Context.Service, MicroStatusCode.MethodNotAllowed, $"{Endpoint} was not called as a stream");

    /// <summary>
    /// In a server-streaming or duplex call: sends one item to the caller, waiting while the caller
    /// has not consumed enough of the previous ones (flow control).
    /// </summary>
    /// <exception cref="MicroException">Code 405 on a call that carries no stream to the caller.</exception>
    public virtual ValueTask WriteItemAsync<TItem>(TItem item) =>
        throw new MicroException(Context.Service, MicroStatusCode.MethodNotAllowed, $"{Endpoint} was not called as a stream");

    /// <summary>The error for an endpoint the dispatcher does not know; generated dispatchers throw it.</summary>
    public MicroException EndpointNotFound() =>
        new(Context.Service.Length > 0 ? Context.Service : "microgen.server", MicroStatusCode.NotFound, $"unknown endpoint {Endpoint}");
}
