using System;
using System.Buffers;

namespace MicroGen.Transport;

/// <summary>
/// A unary request as a transport carries it: go-micro's headers (<c>Micro-Service</c>,
/// <c>Micro-Endpoint</c>, <c>Micro-Id</c>, <c>Content-Type</c>, the timeout, user metadata) and the
/// encoded body.
/// </summary>
/// <remarks>
/// A struct, so that sending or receiving a call allocates no request object; it is passed by
/// value and holds only references and the body's sequence.
/// </remarks>
public readonly struct TransportRequest
{
    /// <summary>The service addressed (<c>Micro-Service</c>).</summary>
    public required string Service { get; init; }

    /// <summary>The endpoint called, for example <c>Greeter.SayHello</c> (<c>Micro-Endpoint</c>).</summary>
    public required string Endpoint { get; init; }

    /// <summary>The body's content type, which names the codec (<c>Content-Type</c>).</summary>
    public required string ContentType { get; init; }

    /// <summary>A caller-chosen request id (<c>Micro-Id</c>), for logs and tracing.</summary>
    public string? Id { get; init; }

    /// <summary>
    /// How long the caller waits, measured from when it sent the request (<c>Micro-Timeout</c>).
    /// Relative, like gRPC's <c>grpc-timeout</c>, so clock skew between machines does not matter.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>User headers from the caller's <see cref="MicroContext"/>.</summary>
    public Metadata? Metadata { get; init; }

    /// <summary>The encoded arguments. Valid only while the call is being handled.</summary>
    public ReadOnlySequence<byte> Body { get; init; }
}
