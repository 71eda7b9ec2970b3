using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport.Internal;

/// <summary>
/// One end of a streaming call on a TCP connection (<c>docs/PROTOCOL.md</c> §8): the dialler's end,
/// returned by <see cref="TcpClientConnection.OpenStreamAsync"/>, or the listener's end, passed to
/// <see cref="ITransportHandler.HandleStreamAsync"/>.
/// </summary>
/// <remarks>
/// <para><b>Receiving.</b> The read loop copies each STREAM_DATA message, length-prefixed, into this
/// stream's own <see cref="Pipe"/> (the inbox) and moves on at once, so a slow reader never stalls the
/// connection. The inbox never pauses its writer: flow control is what bounds it (§8.3). The peer
/// may not send beyond the window, and window goes back only as this side's reader consumes
/// messages, so the inbox holds at most about one window. <see cref="Current"/> is a slice of the
/// inbox, valid until the next <see cref="MoveNextAsync"/>, so receiving allocates nothing per message.</para>
/// <para><b>Sending.</b> <see cref="WriteAsync"/> takes window, waiting for a WINDOW_UPDATE while
/// there is none, then copies the message into the connection's output pipe under its write lock.
/// When it returns, the caller may reuse the message's memory.</para>
/// <para><b>Threads.</b> The read loop, the one reader, the one writer and cancellation callbacks
/// meet under <c>_sync</c>, which guards both windows, the inbox's writer and the flags below it.</para>
/// </remarks>
internal sealed class TcpStream : ITransportStream
{
    /// <summary>Each message in the inbox is <c>length (int32) | message</c>.</summary>
    private const int LengthPrefixSize = 4;

    // pauseWriterThreshold 0: the read loop's flush never waits; flow control bounds the inbox instead.
    // The reader is resumed on the thread pool, never inline on the read loop.
    private static readonly PipeOptions s_inboxOptions = new(
        pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 4096, useSynchronizationContext: false);

    private readonly TcpConnection _connection;
    private readonly bool _isDialler;
    private readonly Pipe _inbox = new(s_inboxOptions);
    private readonly TaskCompletionSource? _accepted;
    private readonly Lock _sync = new();

    // Guarded by _sync.
    private long _sendWindow = TcpProtocol.InitialStreamWindow;
    private long _receiveWindow = TcpProtocol.InitialStreamWindow;
    private TaskCompletionSource? _windowAvailable;
    private bool _inboxClosed;
    private bool _peerEnded;

    private volatile Exception? _failure; // the stream failed or was cancelled; set once, under _sync
    private volatile bool _callEnded;     // the listener's STREAM_END was sent (listener) or received (dialler)
    private int _localEnded;              // this side's STREAM_END is done with
    private int _disposed;

    // The reader's own state.
    private ReadOnlySequence<byte> _unread;
    private ReadOnlySequence<byte> _current;
    private bool _holding;
    private bool _finished;
    private long _unreturned;
    private MicroError? _trailerError;

    public TcpStream(TcpConnection connection, bool isDialler, string contentType, uint streamId = 0)
    {
        _connection = connection;
        _isDialler = isDialler;
        ContentType = contentType;
        StreamId = streamId;
        if (isDialler)
        {
            _accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>The connection the stream belongs to.</summary>
    public TcpConnection Connection => _connection;

    /// <summary>The stream id; a dialler's is assigned when its REQUEST is written.</summary>
    public uint StreamId { get; set; }

    /// <inheritdoc/>
    public string ContentType { get; private set; }

    /// <inheritdoc/>
    public ReadOnlySequence<byte> Current => _current;

    /// <inheritdoc/>
    public Metadata? ResponseMetadata { get; private set; }

    /// <summary>The dialler's registration on the call's token; disposed with the stream.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Dialler: completes when the listener accepted the stream (or answered it with a handler error); faults when it was refused or failed.</summary>
    public Task Accepted => _accepted!.Task;

    // ---- Read loop side -------------------------------------------------------------------

    /// <summary>The listener accepted the stream with RESPONSE(OPEN_STREAM) (§8.1). Dialler, read loop.</summary>
    public void OnAccepted(string? contentType)
    {
        if (!string.IsNullOrEmpty(contentType))
        {
            ContentType = contentType;
        }
        _accepted!.TrySetResult();
    }

    /// <summary>A STREAM_DATA frame arrived: check and charge the window, then queue the message for the reader. Read loop.</summary>
    public void OnData(in ReadOnlySequence<byte> payload)
    {
        lock (_sync)
        {
            if (_peerEnded)
            {
                ProtocolException.Throw($"STREAM_DATA on stream {StreamId} after the peer's STREAM_END");
            }
            // The sender may send while its window is above 0, and may overdraw it by one frame (§8.3).
            if (_receiveWindow <= 0)
            {
                ProtocolException.Throw(GoAwayCode.FlowControlError,
                    $"STREAM_DATA of {payload.Length} bytes on stream {StreamId} arrived with no window left ({_receiveWindow})");
            }
            _receiveWindow -= TcpProtocol.FrameHeaderSize + payload.Length;
            if (_inboxClosed)
            {
                return; // nobody will read it: the stream was cancelled, failed, or its call ended
            }
            var writer = _inbox.Writer;
            BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(LengthPrefixSize), (int)payload.Length);
            writer.Advance(LengthPrefixSize);
            foreach (var segment in payload)
            {
                writer.Write(segment.Span);
            }
            // Never waits (no pause threshold); wakes a waiting reader on the thread pool.
            var flush = writer.FlushAsync();
            if (flush.IsCompleted)
            {
                flush.GetAwaiter().GetResult();
            }
            else
            {
                _ = flush.AsTask();
            }
        }
    }

    /// <summary>
    /// The peer's STREAM_END arrived (§8.1). On the dialler it ends the call: <paramref name="error"/>
    /// and <paramref name="metadata"/> are the trailers, delivered after the messages already received.
    /// Read loop.
    /// </summary>
    public void OnEnd(MicroError? error, Metadata? metadata)
    {
        TaskCompletionSource? wake = null;
        lock (_sync)
        {
            if (_peerEnded)
            {
                ProtocolException.Throw($"a second STREAM_END on stream {StreamId}");
            }
            _peerEnded = true;
            if (_isDialler)
            {
                _trailerError = error;
                ResponseMetadata = metadata;
                _callEnded = true;
                // A writer waiting for window learns that the listener will read nothing more.
                wake = _windowAvailable;
                _windowAvailable = null;
            }
            CloseInbox();
        }
        wake?.TrySetResult();
        _accepted?.TrySetResult();
    }

    /// <summary>A WINDOW_UPDATE for this stream arrived (§3.10). Read loop.</summary>
    public void OnWindowUpdate(uint increment)
    {
        TaskCompletionSource? wake = null;
        lock (_sync)
        {
            _sendWindow += increment;
            if (_sendWindow > TcpProtocol.MaxWindow)
            {
                ProtocolException.Throw(GoAwayCode.FlowControlError, $"a WINDOW_UPDATE took the window of stream {StreamId} above 2^31 - 1");
            }
            if (_sendWindow > 0)
            {
                wake = _windowAvailable;
                _windowAvailable = null;
            }
        }
        wake?.TrySetResult();
    }

    /// <summary>
    /// Fails the stream at once with <paramref name="failure"/>: the cancellation of the call, or a
    /// <see cref="TransportException"/> when the connection closed. Pending and later reads and
    /// writes throw it. Any thread; idempotent.
    /// </summary>
    public void Abort(Exception failure)
    {
        TaskCompletionSource? wake;
        lock (_sync)
        {
            if (_failure is not null)
            {
                return;
            }
            _failure = failure;
            CloseInbox();
            wake = _windowAvailable;
            _windowAvailable = null;
        }
        wake?.TrySetResult();
        if (_accepted?.TrySetException(failure) == true)
        {
            // Observed by OpenStreamAsync, unless it already gave up waiting.
            _ = _accepted.Task.Exception;
        }
    }

    // ---- The stream's user -----------------------------------------------------------------

    /// <inheritdoc/>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ThrowIfCannotWrite();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        if (message.Length > _connection.PeerMaxFrameSize)
        {
            // Never send a frame the peer would refuse by closing the connection (§5): fail this write only.
            ThrowTooLarge(message.Length);
        }
        long cost = TcpProtocol.FrameHeaderSize + message.Length;
        bool taken;
        lock (_sync)
        {
            // A sender may send while its window is above 0, overdrawing it by at most one frame (§8.3).
            taken = _sendWindow > 0;
            if (taken)
            {
                _sendWindow -= cost;
            }
        }
        return taken ? SendAsync(message, cost, cancellationToken) : WriteWhenWindowAsync(message, cost, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A dialler sends an empty STREAM_END and ignores <paramref name="error"/> and
    /// <paramref name="metadata"/>. A listener's STREAM_END carries them as trailers and ends the call.
    /// Completing a stream that failed, was cancelled, or whose call already ended does nothing:
    /// there is nobody left to tell.
    /// </remarks>
    public async ValueTask CompleteAsync(MicroError? error = null, Metadata? metadata = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _localEnded, 1) != 0 || _failure is not null || _callEnded || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        string? errorJson = null;
        if (!_isDialler)
        {
            errorJson = error?.ToJson();
            var length = FrameWriter.MeasureStreamEnd(errorJson, metadata, out _);
            if (length > _connection.PeerMaxFrameSize)
            {
                errorJson = MicroError.Create(error?.Id ?? TcpProtocol.ErrorId, error?.Code ?? MicroStatusCode.InternalServerError, "the trailers were too large to send").ToJson();
                metadata = null;
            }
            // The call ends here (§8.1): what the dialler still sends is dropped.
            _callEnded = true;
            lock (_sync)
            {
                CloseInbox();
            }
        }
        else
        {
            metadata = null;
        }
        await _connection.WriteAsync(new StreamEndFrame(StreamId, errorJson, metadata), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _current = default;
        if (_failure is { } failure)
        {
            throw failure;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }
        if (_finished)
        {
            return new ValueTask<bool>(false);
        }
        if (_holding)
        {
            if (TryTakeMessage())
            {
                return new ValueTask<bool>(true);
            }
            // Everything read so far is consumed: release it before waiting for more.
            _inbox.Reader.AdvanceTo(_unread.End);
            _holding = false;
        }
        return MoveNextSlowAsync(cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>On a dialler whose call has not ended, this cancels the call on the listener (§8.4).</remarks>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }
        // Waits for a cancellation callback that is running, so it never sees a disposed stream.
        Registration.Dispose();
        _connection.OnStreamDisposed(this);
        TaskCompletionSource? wake;
        lock (_sync)
        {
            CloseInbox();
            wake = _windowAvailable;
            _windowAvailable = null;
        }
        wake?.TrySetResult();
        _current = default;
        if (_holding)
        {
            _inbox.Reader.AdvanceTo(_unread.End);
            _holding = false;
        }
        _inbox.Reader.Complete();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (_failure is { } failure)
            {
                _inbox.Reader.AdvanceTo(result.Buffer.Start);
                throw failure;
            }
            _unread = result.Buffer;
            _holding = true;
            if (TryTakeMessage())
            {
                return true;
            }
            // The read loop writes whole messages only: what is left is nothing.
            _inbox.Reader.AdvanceTo(_unread.End);
            _holding = false;
            if (result.IsCompleted)
            {
                _finished = true;
                if (_trailerError is { } error)
                {
                    throw new MicroException(error);
                }
                return false;
            }
        }
    }

    /// <summary>Takes the next whole message from what the reader holds, and counts it as consumed.</summary>
    private bool TryTakeMessage()
    {
        if (_unread.Length < LengthPrefixSize)
        {
            return false;
        }
        int length;
        if (_unread.FirstSpan.Length >= LengthPrefixSize)
        {
            length = BinaryPrimitives.ReadInt32BigEndian(_unread.FirstSpan);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[LengthPrefixSize];
            _unread.Slice(0, LengthPrefixSize).CopyTo(prefix);
            length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        }
        _current = _unread.Slice(LengthPrefixSize, length);
        _unread = _unread.Slice(_current.End);
        Consumed(TcpProtocol.FrameHeaderSize + length);
        return true;
    }

    /// <summary>Returns window to the peer once the reader has consumed half of it (§8.3).</summary>
    private void Consumed(long cost)
    {
        _unreturned += cost;
        if (_unreturned < TcpProtocol.WindowUpdateThreshold)
        {
            return;
        }
        var increment = (uint)Math.Min(_unreturned, TcpProtocol.MaxWindow);
        _unreturned -= increment;
        lock (_sync)
        {
            if (_peerEnded || _inboxClosed)
            {
                return; // the peer sends nothing more (§8.3)
            }
            // Account first: the peer may use the window as soon as the frame is out.
            _receiveWindow += increment;
        }
        _connection.QueueWrite(new WindowUpdateFrame(StreamId, increment));
    }

    private async ValueTask WriteWhenWindowAsync(ReadOnlyMemory<byte> message, long cost, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task available;
            lock (_sync)
            {
                ThrowIfCannotWrite();
                if (_sendWindow > 0)
                {
                    _sendWindow -= cost;
                    break;
                }
                available = (_windowAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await available.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        await SendAsync(message, cost, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> message, long cost, CancellationToken cancellationToken)
    {
        var write = _connection.WriteAsync(new StreamDataFrame(StreamId, message), cancellationToken);
        if (write.IsCompletedSuccessfully)
        {
            if (!write.Result)
            {
                ThrowClosed();
            }
            return ValueTask.CompletedTask;
        }
        return AwaitSendAsync(write, cost);
    }

    private async ValueTask AwaitSendAsync(ValueTask<bool> write, long cost)
    {
        bool written;
        try
        {
            written = await write.ConfigureAwait(false);
        }
        catch
        {
            // Nothing was written (the wait for the write lock was cancelled): give the window back.
            lock (_sync)
            {
                _sendWindow += cost;
            }
            throw;
        }
        if (!written)
        {
            ThrowClosed();
        }
    }

    private void ThrowIfCannotWrite()
    {
        if (_failure is { } failure)
        {
            throw failure;
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _localEnded) != 0)
        {
            ThrowCompleted();
        }
        if (_callEnded)
        {
            ThrowCallEnded();
        }
    }

    /// <summary>Only under <c>_sync</c>: ends the inbox, so the reader sees the end once it has drained it.</summary>
    private void CloseInbox()
    {
        if (!_inboxClosed)
        {
            _inboxClosed = true;
            _inbox.Writer.Complete();
        }
    }

    private void ThrowClosed() =>
        throw _failure ?? new TransportException($"the connection closed during stream {StreamId}", notProcessed: false);

    private static void ThrowCompleted() =>
        throw new InvalidOperationException("The stream's writes were already completed.");

    private static void ThrowCallEnded() =>
        throw new TransportException("the listener already ended the call and reads no more messages", notProcessed: false);

    private void ThrowTooLarge(int length) =>
        throw new MicroException(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.PayloadTooLarge,
            $"a stream message of {length} bytes is larger than the peer's max frame size of {_connection.PeerMaxFrameSize} bytes"));

    private readonly struct StreamDataFrame(uint streamId, ReadOnlyMemory<byte> message) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WriteStreamData(writer, streamId, message.Span);
    }

    private readonly struct StreamEndFrame(uint streamId, string? errorJson, Metadata? metadata) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer)
        {
            var payloadLength = FrameWriter.MeasureStreamEnd(errorJson, metadata, out var blockLength);
            FrameWriter.WriteStreamEnd(writer, streamId, errorJson, metadata, blockLength, (int)payloadLength);
        }
    }

    private readonly struct WindowUpdateFrame(uint streamId, uint increment) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WriteWindowUpdate(writer, streamId, increment);
    }
}
