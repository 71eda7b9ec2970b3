using System;
using System.Buffers;

namespace MicroGen.Transport;

/// <summary>
/// A unary response as a transport carries it: either a body in <see cref="ContentType"/>, or an
/// <see cref="Error"/> (<c>Micro-Error</c>). Whoever holds it disposes it, returning pooled memory.
/// </summary>
/// <remarks>
/// Dispose a response exactly once, and do not touch it afterwards: the transports and the server
/// reuse their successful responses for later calls.
/// </remarks>
public sealed class TransportResponse : IDisposable
{
    private IDisposable? _owner;

    /// <summary>Creates a successful response.</summary>
    /// <param name="contentType">The body's content type.</param>
    /// <param name="body">The encoded result.</param>
    /// <param name="owner">Released on <see cref="Dispose"/>; owns the memory of <paramref name="body"/>.</param>
    /// <param name="metadata">Response headers.</param>
    public TransportResponse(string contentType, ReadOnlySequence<byte> body, IDisposable? owner = null, Metadata? metadata = null)
    {
        Reset(contentType, body, owner, metadata);
    }

    /// <summary>Creates an error response.</summary>
    public TransportResponse(MicroError error, Metadata? metadata = null)
    {
        Error = error ?? throw new ArgumentNullException(nameof(error));
        ContentType = string.Empty;
        Metadata = metadata;
    }

    /// <summary>The body's content type; empty for an error.</summary>
    public string ContentType { get; private set; } = string.Empty;

    /// <summary>The encoded result; empty for an error.</summary>
    public ReadOnlySequence<byte> Body { get; private set; }

    /// <summary>The error, when the call failed.</summary>
    public MicroError? Error { get; }

    /// <summary>Response headers the handler set.</summary>
    public Metadata? Metadata { get; private set; }

    /// <summary>Makes a disposed successful response carry a new body (pooled per-call state reuses it).</summary>
    internal void Reset(string contentType, ReadOnlySequence<byte> body, IDisposable? owner, Metadata? metadata)
    {
        ContentType = contentType;
        Body = body;
        _owner = owner;
        Metadata = metadata;
    }

    /// <summary>Releases the body's memory; the body must not be read afterwards.</summary>
    public void Dispose()
    {
        Body = default;
        var owner = _owner;
        _owner = null;
        owner?.Dispose();
    }
}
