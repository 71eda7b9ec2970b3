using System;
using System.Buffers;
using MicroGen.Internal;

namespace MicroGen.Transport.Internal;

/// <summary>
/// A received response body, copied out of the connection's buffers, pooled together with the
/// <see cref="TransportResponse"/> that carries it: disposing the response returns both, so a
/// caller's call allocates neither.
/// </summary>
internal sealed class PooledResponse : IDisposable
{
    // A body grown beyond this goes back to the array pool instead of staying with a pooled response.
    private const int MaxRetainedBody = 16 * 1024;
    private static readonly BoundedPool<PooledResponse> s_pool = new(maxRetained: 1024);

    private readonly PooledBufferWriter _body = new();
    private readonly TransportResponse _response = new(string.Empty, default);

    /// <summary>A successful response holding a copy of <paramref name="body"/>.</summary>
    public static TransportResponse Create(string contentType, in ReadOnlySequence<byte> body, Metadata? metadata)
    {
        if (!s_pool.TryRent(out var pooled))
        {
            pooled = new PooledResponse();
        }
        pooled._body.CopyFrom(body);
        pooled._response.Reset(contentType, pooled._body.WrittenSequence, pooled, metadata);
        return pooled._response;
    }

    /// <summary>Called once, by the response's <see cref="TransportResponse.Dispose"/>.</summary>
    public void Dispose()
    {
        _body.Clear(MaxRetainedBody);
        s_pool.TryReturn(this);
    }
}
