using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport;

/// <summary>
/// One streaming call on a transport: messages flow both ways until each side completes. Writes
/// are flow-controlled: <see cref="WriteAsync"/> waits while the peer has not consumed enough,
/// so a slow reader holds back its writer instead of letting memory grow.
/// </summary>
/// <remarks>
/// One reader and one writer may use a stream concurrently; neither method is safe to call from
/// two threads at once. Disposing a stream that has not ended cancels the call on the peer.
/// </remarks>
public interface ITransportStream : IAsyncDisposable
{
    /// <summary>The content type of the messages this side receives.</summary>
    string ContentType { get; }

    /// <summary>
    /// Sends one message. Completes when the transport has taken it (the caller may then reuse
    /// <paramref name="message"/>'s memory); waits while the peer's receive window is full.
    /// </summary>
    /// <exception cref="TransportException">The stream or its connection is gone.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends this side's messages. On a server, <paramref name="error"/> ends the call with that
    /// error after the messages already sent, and <paramref name="metadata"/> carries response
    /// headers; a client passes neither.
    /// </summary>
    ValueTask CompleteAsync(MicroError? error = null, Metadata? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for the peer's next message: true with it in <see cref="Current"/>, false once the
    /// peer completed.
    /// </summary>
    /// <exception cref="MicroException">The peer ended the call with an error.</exception>
    /// <exception cref="TransportException">The connection dropped.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);

    /// <summary>The message read by the last successful <see cref="MoveNextAsync"/>; valid until the next call.</summary>
    ReadOnlySequence<byte> Current { get; }

    /// <summary>On a client: the response headers, once the server completed the call.</summary>
    Metadata? ResponseMetadata { get; }
}
