using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport.Internal;

/// <summary>A frame a connection writes under its write lock; a struct so writing does not allocate.</summary>
internal interface IFrameWrite
{
    void Write(IBufferWriter<byte> writer);
}

/// <summary>
/// One MicroGen protocol connection over a socket: what both ends share. It owns three loops, as
/// Kestrel's socket connection does: the <b>receive loop</b> moves bytes from the socket into the
/// input <see cref="Pipe"/>, whose reader, the <b>read loop</b>, runs inline on each flush and parses
/// frames in place; the <b>send loop</b> drains the output <see cref="Pipe"/> into the socket,
/// coalescing every frame written since its last send. All are owned tasks; a keep-alive
/// <see cref="Timer"/> pings beside them, and shutdown is idempotent (<see cref="CloseAsync"/>).
/// </summary>
internal abstract class TcpConnection : IAsyncDisposable
{
    /// <summary>How long a close waits for the GOAWAY and queued frames to reach the socket.</summary>
    private static readonly TimeSpan s_closeFlushTimeout = TimeSpan.FromSeconds(2);
    /// <summary>How long a close waits for the peer's FIN before it drops the socket.</summary>
    private static readonly TimeSpan s_peerFinTimeout = TimeSpan.FromMilliseconds(200);
    private static long s_nextId;

    private readonly Socket _socket;
    private readonly Pipe _inputPipe;
    private readonly PipeReader _input;
    private readonly Pipe _output;
    private readonly object _writeGate = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiveLoop = Task.CompletedTask;
    private Task _readLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private Timer? _pingTimer; // disposed on close, not cancelled: a cancelled wait would throw
    private Task? _backPressure; // guarded by _writeGate: a flush waiting for the send loop; writers wait behind it
    private bool _outputClosed; // guarded by _writeGate
    private bool _flushDeferred; // guarded by _writeGate: frames written but not yet flushed (see BeginDelivery)
    private bool _preambleQueued; // set before the loops start, by the thread that opens the connection
    private bool _sendLoopIdle; // guarded by _writeGate: the send loop sent all that was flushed and waits
    private PooledBufferWriter? _directScratch; // guarded by _writeGate
    private List<ArraySegment<byte>>? _sendSegments; // the send loop's alone
    private Task<int>? _pendingDirectSend; // set under _writeGate while the send loop is idle; the send loop clears it
    private Timer? _deferredFlushBackstop; // guarded by _writeGate
    private int _delivering;
    private int _closeStarted;
    private int _pingsOut;
    private string? _closeReason;

    // remoteEndPoint: the peer's address for logs and errors; null reads it from the connected socket.
    protected TcpConnection(Socket socket, TcpTransportOptions options, ILogger logger, string? remoteEndPoint = null)
    {
        _socket = socket;
        Options = options;
        Logger = logger;
        Id = Interlocked.Increment(ref s_nextId);
        RemoteEndPoint = remoteEndPoint ?? socket.RemoteEndPoint?.ToString() ?? "unknown";
        socket.NoDelay = options.NoDelay;
        // The read loop runs inline in the receive loop's flush and consumes every whole frame before
        // it waits again, so what the pipe holds is at most one partial frame, whose length was
        // checked against MaxFrameSize before its payload is awaited (§2): it never needs to pause
        // the receive loop (which could not resume while a frame larger than a threshold waits).
        _inputPipe = new Pipe(new PipeOptions(
            pool: BlockPool.Shared,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: BlockPool.BlockSize,
            useSynchronizationContext: false));
        _input = _inputPipe.Reader;
        _output = new Pipe(new PipeOptions(
            pool: BlockPool.Shared,
            // The send loop runs on LoopTaskMethodBuilder: woken with its box as the work item.
            readerScheduler: LoopPipeScheduler.Instance,
            pauseWriterThreshold: options.WriterPauseThreshold,
            resumeWriterThreshold: options.WriterResumeThreshold,
            minimumSegmentSize: BlockPool.BlockSize,
            useSynchronizationContext: false));
    }

    public long Id { get; }

    public string RemoteEndPoint { get; }

    protected TcpTransportOptions Options { get; }

    protected ILogger Logger { get; }

    /// <summary>The peer's max frame size, from its preamble.</summary>
    internal int PeerMaxFrameSize { get; private set; } = (int)TcpProtocol.MinPeerMaxFrameSize;

    /// <summary>Completes when the peer's preamble arrived; faults when the handshake failed.</summary>
    public Task Handshake => _handshake.Task;

    /// <summary>
    /// Whether the handshake failed in a way that shows the peer processed nothing sent on this
    /// connection: it does not speak the protocol (no MGEN magic), or it closed in order before its
    /// preamble, which a listener sends before it reads anything (§1).
    /// </summary>
    protected bool PeerProcessedNothing { get; private set; }

    /// <summary>Completes when the connection is closed.</summary>
    public Task Closed => _closed.Task;

    public bool IsClosing => Volatile.Read(ref _closeStarted) != 0;

    /// <summary>Why the connection closed, once it has.</summary>
    protected string CloseReason => _closeReason ?? "closed";

    /// <summary>Called once, when the connection has closed.</summary>
    public Action<TcpConnection>? OnClosed { get; set; }

    /// <summary>
    /// Queues the preamble, to go out first once <see cref="Start"/> starts the send loop. A dialler
    /// calls it while its TCP connect is still in flight; <see cref="Start"/> calls it otherwise.
    /// </summary>
    public void QueuePreamble()
    {
        if (_preambleQueued)
        {
            return;
        }
        _preambleQueued = true;
        // Both sides send their preamble at once, without waiting for the other's (§1).
        FrameWriter.WritePreamble(_output.Writer, Options.MaxFrameSize);
        _ = _output.Writer.FlushAsync();
    }

    /// <summary>Gives back the pipes' memory of a connection whose loops never started (its connect failed).</summary>
    public void ReleaseUnstarted()
    {
        _output.Writer.Complete();
        _output.Reader.Complete();
        _inputPipe.Writer.Complete();
        _input.Complete();
    }

    /// <summary>Sends the preamble (queued now if not yet) and starts the loops.</summary>
    public void Start()
    {
        QueuePreamble();
        // The loops outlive whoever opened the connection: they must not carry its async-locals
        // (a caller's MicroContext) into everything they run.
        var suppressed = ExecutionContext.IsFlowSuppressed() ? default(AsyncFlowControl?) : ExecutionContext.SuppressFlow();
        try
        {
            _sendLoop = SendLoopAsync();
            // Receiving first: a peer's preamble already on the socket is then in the pipe when the
            // read loop starts, which reads it without suspending.
            _receiveLoop = ReceiveLoopAsync();
            _readLoop = ReadLoopAsync();
        }
        finally
        {
            suppressed?.Undo();
        }
    }

    /// <summary>Closes the connection, after a best-effort GOAWAY. Idempotent.</summary>
    public Task CloseAsync(GoAwayCode code, string reason, bool sendGoAway = true)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) == 0)
        {
            _ = CloseCoreAsync(code, reason, sendGoAway);
        }
        return _closed.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await BeforeDisposeAsync().ConfigureAwait(false);
        await CloseAsync(GoAwayCode.NoError, "disposed").ConfigureAwait(false);
        await Task.WhenAll(_receiveLoop, _readLoop, _sendLoop).ConfigureAwait(false);
    }

    /// <summary>Runs before a dispose closes the connection: a chance to let calls in flight finish.</summary>
    protected virtual Task BeforeDisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// A stream of this connection was disposed by its user. The dialler cancels it on the listener
    /// unless it has already ended (§8.4). Never runs on the read loop.
    /// </summary>
    internal virtual void OnStreamDisposed(TcpStream stream)
    {
    }

    /// <summary>Handles a call frame (REQUEST, RESPONSE, ERROR, CANCEL, STREAM_*, a stream's WINDOW_UPDATE). Runs on the read loop.</summary>
    protected abstract void OnCallFrame(in FrameHeader header, in ReadOnlySequence<byte> payload);

    /// <summary>The peer sent GOAWAY. Runs on the read loop.</summary>
    protected abstract void OnGoAway(uint lastStreamId, GoAwayCode code, string reason);

    /// <summary>The connection is closing: fail or cancel whatever is in flight. Runs once.</summary>
    protected abstract void OnClosing(string reason);

    /// <summary>
    /// Writes a frame under the write lock and flushes it to the send loop. Returns false when the
    /// connection's output is already closed, so nothing was written.
    /// </summary>
    internal ValueTask<bool> WriteAsync<TFrame>(TFrame frame, CancellationToken cancellationToken = default, bool mayGoDirect = false)
        where TFrame : IFrameWrite
    {
        Task? waitFor = null;
        Exception? sendError = null;
        // A plain lock, as Kestrel's HTTP/2 frame writer uses: the critical section is a copy into
        // the pipe, and contended writers spin briefly instead of queueing an async wait (which
        // allocates and resumes on another thread).
        lock (_writeGate)
        {
            if (_outputClosed)
            {
                return new ValueTask<bool>(false);
            }
            if (_backPressure is not null)
            {
                waitFor = _backPressure;
            }
            else if (!mayGoDirect || !_sendLoopIdle || _flushDeferred || !PreferDirectSend)
            {
                return WriteLocked(frame);
            }
            else
            {
                sendError = SendDirectLocked(frame);
                if (sendError is null)
                {
                    return new ValueTask<bool>(true);
                }
            }
        }
        if (sendError is not null)
        {
            OnSendFailed(sendError);
            return new ValueTask<bool>(false);
        }
        return WriteAfterBackPressureAsync(frame, waitFor!, cancellationToken);
    }

    /// <summary>Largest frame payload worth sending directly (see <see cref="SendDirectLocked"/>).</summary>
    internal const int MaxDirectSendPayload = 64 * 1024;

    /// <summary>
    /// Whether a frame that may go direct should: nothing else is in flight on the connection, so
    /// there is nothing for a send loop to coalesce it with. Read without locks: a heuristic only.
    /// </summary>
    protected abstract bool PreferDirectSend { get; }

    /// <summary>
    /// Sends one frame from the calling thread, under the write lock, when the send loop is idle and
    /// the output empty, so the frame cannot overtake another. A lone call (concurrency 1) thus
    /// skips the wake-up of the send loop, one thread-pool hop of each of its two sends; under load
    /// the send loop still coalesces. The send never blocks: one the socket cannot take at once
    /// (a full send buffer) goes on asynchronously, and the send loop waits for it before it sends
    /// anything written after. Returns the error when the socket failed.
    /// </summary>
    private Exception? SendDirectLocked<TFrame>(TFrame frame) where TFrame : IFrameWrite
    {
        var scratch = _directScratch ??= new PooledBufferWriter(4 * 1024);
        scratch.Reset();
        frame.Write(scratch);
        try
        {
            var send = _socket.SendAsync(scratch.WrittenMemory, SocketFlags.None);
            if (send.IsCompletedSuccessfully)
            {
                _ = send.Result;
            }
            else if (send.IsCompleted)
            {
                send.GetAwaiter().GetResult();
            }
            else
            {
                // The pending send owns the buffer now (it is left to the GC, not returned to the
                // pool), and the send loop must wait for it.
                _directScratch = null;
                _pendingDirectSend = send.AsTask();
                _sendLoopIdle = false;
            }
            return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The frame did not leave whole, so the peer cannot have acted on it; the close follows.
            return e;
        }
        finally
        {
            // Not in use now (a pending send took it away): a buffer grown past this goes back to the pool.
            _directScratch?.Clear(2 * MaxDirectSendPayload);
        }
    }

    private void OnSendFailed(Exception error)
    {
        if (!IsClosing)
        {
            TcpTransportLog.ConnectionReset(Logger, Id, RemoteEndPoint, error);
            _ = CloseAsync(GoAwayCode.NoError, "sending failed: the connection was reset", sendGoAway: false);
        }
    }

    /// <summary>
    /// Writes and flushes under the lock; a flush that must wait makes later writers wait for it.
    /// While replies are being delivered to their callers, the flush is left to the last delivery.
    /// </summary>
    private ValueTask<bool> WriteLocked<TFrame>(TFrame frame) where TFrame : IFrameWrite
    {
        frame.Write(_output.Writer);
        // One delivery alone (a single caller, or the last of a batch) has nobody to wait for.
        if (Volatile.Read(ref _delivering) > 1)
        {
            if (!_flushDeferred)
            {
                _flushDeferred = true;
                (_deferredFlushBackstop ??= new Timer(static state => ((TcpConnection)state!).FlushDeferred(), this, Timeout.Infinite, Timeout.Infinite))
                    .Change(DeferredFlushBackstopMilliseconds, Timeout.Infinite);
            }
            return new ValueTask<bool>(true);
        }
        return FlushLocked();
    }

    private ValueTask<bool> FlushLocked()
    {
        _sendLoopIdle = false;
        if (_flushDeferred)
        {
            _flushDeferred = false;
            _deferredFlushBackstop!.Change(Timeout.Infinite, Timeout.Infinite);
        }
        var flush = _output.Writer.FlushAsync(CancellationToken.None);
        if (flush.IsCompleted)
        {
            flush.GetAwaiter().GetResult();
            return new ValueTask<bool>(true);
        }
        // Back-pressure: the peer reads slower than we write. Nobody writes until the send loop drained it.
        var pending = flush.AsTask();
        _backPressure = pending;
        return new ValueTask<bool>(EndBackPressureAsync(pending));
    }

    /// <summary>How long a deferred flush waits at most for the deliveries to end (see <see cref="BeginDelivery"/>).</summary>
    private const int DeferredFlushBackstopMilliseconds = 1;

    /// <summary>
    /// Counts a reply queued for delivery to its caller. While more than one delivery runs, frames
    /// are written without a flush, and <see cref="EndDelivery"/> of the last flushes them at once.
    /// </summary>
    /// <remarks>
    /// A closed-loop caller sends its next request from the continuation that receives a reply: the
    /// read loop hands over a batch of replies, and their callers' next requests then leave in one
    /// send, not one send each, as they did when the first request's flush woke the send loop on an
    /// idle worker (at concurrency 16, 5 calls per send became 18). A
    /// continuation that blocks (waiting synchronously for a reply to the request it just wrote)
    /// never ends its delivery: a timer flushes after <see cref="DeferredFlushBackstopMilliseconds"/>.
    /// </remarks>
    internal void BeginDelivery() => Interlocked.Increment(ref _delivering);

    /// <summary>Ends a delivery counted by <see cref="BeginDelivery"/>; the last one flushes what was deferred.</summary>
    internal void EndDelivery()
    {
        if (Interlocked.Decrement(ref _delivering) == 0 && Volatile.Read(ref _flushDeferred))
        {
            FlushDeferred();
        }
    }

    private void FlushDeferred()
    {
        lock (_writeGate)
        {
            // Closing completes the pipe, which sends what was written; a flush in back-pressure
            // cannot be pending here, as only FlushLocked sets one and it ends the deferral.
            if (_flushDeferred && !_outputClosed && _backPressure is null)
            {
                _ = FlushLocked();
            }
        }
    }

    private async Task<bool> EndBackPressureAsync(Task<FlushResult> flush)
    {
        try
        {
            await flush.ConfigureAwait(false);
            return true;
        }
        finally
        {
            lock (_writeGate)
            {
                if (_backPressure == flush)
                {
                    _backPressure = null;
                }
            }
        }
    }

    private async ValueTask<bool> WriteAfterBackPressureAsync<TFrame>(TFrame frame, Task waitFor, CancellationToken cancellationToken)
        where TFrame : IFrameWrite
    {
        while (true)
        {
            // The flush's own writer sees its failure; here it only means the output is going away.
            await waitFor.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            ValueTask<bool> write;
            lock (_writeGate)
            {
                if (_outputClosed)
                {
                    return false;
                }
                if (_backPressure is { } again)
                {
                    waitFor = again;
                    continue;
                }
                write = WriteLocked(frame);
            }
            return await write.ConfigureAwait(false);
        }
    }

    /// <summary>Writes a frame from a context that must not wait (the read loop, a cancellation callback).</summary>
    internal void QueueWrite<TFrame>(TFrame frame) where TFrame : IFrameWrite
    {
        var write = WriteAsync(frame);
        if (!write.IsCompleted)
        {
            _ = ObserveAsync(write);
        }
        else
        {
            _ = write.Result;
        }

        static async Task ObserveAsync(ValueTask<bool> write)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The connection is closing; its close path reports why.
            }
        }
    }

    protected async ValueTask SendGoAwayAsync(uint lastStreamId, GoAwayCode code, string reason)
    {
        if (await WriteAsync(new GoAwayFrame(lastStreamId, code, reason)).ConfigureAwait(false))
        {
            TcpTransportLog.GoAwaySent(Logger, Id, RemoteEndPoint, code, lastStreamId, reason);
        }
    }

    /// <summary>The last stream id to name in a GOAWAY sent on close.</summary>
    protected abstract uint GoAwayLastStreamId { get; }

    /// <summary>Bytes a receive asks the socket for at least: the rest of the pipe's 64 KiB block, or a new one.</summary>
    private const int MinimumReceiveSize = 4 * 1024;

    /// <summary>
    /// Moves bytes from the socket into the input pipe, as Kestrel's socket receiver does. Each flush
    /// runs the read loop inline (its scheduler), which returns once it waits for more bytes. Ends
    /// on the peer's FIN, on a socket error (handed to the read loop through the pipe), or when the
    /// read loop has finished.
    /// </summary>
    [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
    private async Task ReceiveLoopAsync()
    {
        var writer = _inputPipe.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(writer.GetMemory(MinimumReceiveSize), SocketFlags.None).NoContext();
                if (received == 0)
                {
                    break;
                }
                writer.Advance(received);
                // Never pauses (no threshold), so the flush is complete when the read loop returns.
                var flush = writer.FlushAsync();
                var result = flush.IsCompleted ? flush.Result : await flush.ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // The read loop sees it on its next read: a reset, or our own close disposing the socket.
            error = e;
        }
        writer.Complete(error);
    }

    [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
    private async Task ReadLoopAsync()
    {
        var code = GoAwayCode.NoError;
        var reason = "the peer closed the connection";
        var sendGoAway = false;
        try
        {
            await ReadPreambleAsync().NoContext();
            _handshake.TrySetResult();
            if (Options.PingInterval > TimeSpan.Zero && Options.PingInterval != Timeout.InfiniteTimeSpan)
            {
                StartPingTimer();
            }

            while (true)
            {
                var result = await _input.ReadAsync().NoContext();
                var buffer = result.Buffer;
                try
                {
                    if (result.IsCanceled)
                    {
                        reason = CloseReason;
                        break;
                    }
                    while (TryReadFrame(ref buffer, out var header, out var payload))
                    {
                        ProcessFrame(header, payload);
                    }
                    if (result.IsCompleted)
                    {
                        if (!buffer.IsEmpty)
                        {
                            reason = $"the peer closed the connection in the middle of a frame ({buffer.Length} bytes unread)";
                        }
                        break;
                    }
                }
                finally
                {
                    // Consumed up to the last whole frame; examined everything, so that a partial
                    // frame waits for more bytes instead of spinning.
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (ProtocolException e)
        {
            code = e.Code;
            reason = e.Message;
            // A peer that does not even send our magic could not read a GOAWAY (§1).
            sendGoAway = e.SendGoAway;
            if (code == GoAwayCode.HandshakeTimeout)
            {
                TcpTransportLog.HandshakeTimedOut(Logger, Id, RemoteEndPoint, Options.HandshakeTimeout);
            }
            else
            {
                TcpTransportLog.ProtocolError(Logger, Id, RemoteEndPoint, code, reason);
            }
        }
        catch (Exception) when (IsClosing)
        {
            // Our own close disposed the socket under the read: the close path has the reason.
            reason = CloseReason;
        }
        catch (EndOfStreamException e)
        {
            // An orderly close before the preamble: not a reset, and nothing to answer.
            reason = e.Message;
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            reason = "the connection was reset";
            TcpTransportLog.ConnectionReset(Logger, Id, RemoteEndPoint, e);
        }
        catch (Exception e)
        {
            code = GoAwayCode.InternalError;
            reason = $"internal error: {e.Message}";
            sendGoAway = true;
            TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
        }
        finally
        {
            if (_handshake.TrySetException(new TransportException($"the connection to {RemoteEndPoint} closed during the handshake: {reason}", notProcessed: true)))
            {
                // Observed here: a listener never awaits it, and a dialler only for a call too large
                // for the minimum frame size, which fails with it.
                _ = _handshake.Task.Exception;
            }
        }

        _input.Complete();
        _ = CloseAsync(code, reason, sendGoAway);
    }

    [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
    private async Task ReadPreambleAsync()
    {
        using var timeout = Options.HandshakeTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(Options.HandshakeTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, timeout?.Token ?? CancellationToken.None);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(linked.Token).NoContext();
            }
            catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !IsClosing)
            {
                throw new ProtocolException(GoAwayCode.HandshakeTimeout, $"no complete preamble within the handshake timeout of {Options.HandshakeTimeout}");
            }
            var buffer = result.Buffer;
            var complete = false;
            try
            {
                if (FrameReader.TryReadPreamble(ref buffer, out var preamble))
                {
                    PeerMaxFrameSize = preamble.MaxFrameSize;
                    complete = true;
                    return;
                }
                if (result.IsCompleted)
                {
                    PeerProcessedNothing = true;
                    throw new EndOfStreamException("the peer closed the connection before completing the preamble");
                }
                if (result.IsCanceled)
                {
                    throw new IOException("the read of the preamble was cancelled");
                }
            }
            catch (ProtocolException e) when (!e.SendGoAway)
            {
                // No MGEN magic: whatever the peer is, it did not run a MicroGen handler.
                PeerProcessedNothing = true;
                throw;
            }
            finally
            {
                // Frames may have arrived with the preamble: leave them unexamined so the read loop
                // sees them at once instead of waiting for more bytes.
                if (complete)
                {
                    _input.AdvanceTo(buffer.Start);
                }
                else
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        // The header is validated, length against MaxFrameSize included, before the payload is awaited.
        if (!FrameReader.TryReadFrameHeader(buffer, Options.MaxFrameSize, out header))
        {
            return false;
        }
        if (buffer.Length - TcpProtocol.FrameHeaderSize < header.Length)
        {
            return false;
        }
        payload = buffer.Slice(TcpProtocol.FrameHeaderSize, header.Length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private void ProcessFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        switch (header.Type)
        {
            case FrameType.Ping:
                // PING | 8 opaque bytes -> PONG | the same 8 bytes
                Span<byte> data = stackalloc byte[TcpProtocol.PingPayloadSize];
                payload.CopyTo(data);
                QueueWrite(new PingFrame(FrameType.Pong, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data)));
                break;
            case FrameType.Pong:
                Volatile.Write(ref _pingsOut, 0);
                break;
            case FrameType.GoAway:
                var (lastStreamId, code, reason) = FrameReader.ReadGoAway(payload);
                TcpTransportLog.GoAwayReceived(Logger, Id, RemoteEndPoint, code, lastStreamId, reason);
                OnGoAway(lastStreamId, code, reason);
                break;
            case FrameType.WindowUpdate when header.StreamId == 0:
                // The connection-wide window is unused in v1 and MUST be ignored (§3.10).
                break;
            default:
                OnCallFrame(header, payload);
                break;
        }
    }

    // On LoopTaskMethodBuilder, woken by the output pipe through LoopPipeScheduler, which queues
    // the loop's box itself (the default scheduler would wrap it in a new work item per wake-up).
    [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder))]
    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        Exception? error = null;
        try
        {
            var result = await reader.ReadAsync().NoContext();
            while (true)
            {
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    break;
                }
                try
                {
                    // A direct send the socket could not take at once goes first (see SendDirectLocked).
                    if (Volatile.Read(ref _pendingDirectSend) is { } direct)
                    {
                        await direct.NoContext();
                        Volatile.Write(ref _pendingDirectSend, null);
                    }
                    if (buffer.IsSingleSegment)
                    {
                        await _socket.SendAsync(buffer.First, SocketFlags.None).NoContext();
                    }
                    else
                    {
                        await SendSegmentsAsync(buffer).NoContext();
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
                if (result.IsCompleted)
                {
                    break;
                }
                // Idle only if nothing was flushed meanwhile: looked at under the lock, so that a
                // direct sender either sees the send loop busy or finds the output empty.
                bool more;
                lock (_writeGate)
                {
                    more = reader.TryRead(out result);
                    _sendLoopIdle = !more;
                }
                if (!more)
                {
                    result = await reader.ReadAsync().NoContext();
                }
            }
            // Everything queued is sent: tell the peer we are done (FIN).
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            error = e;
        }
        catch (Exception e)
        {
            error = e;
            TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
        }
        finally
        {
            // Writers blocked on back-pressure see IsCompleted and give up.
            await reader.CompleteAsync(error).ConfigureAwait(false);
        }
        if (error is not null && !IsClosing)
        {
            TcpTransportLog.ConnectionReset(Logger, Id, RemoteEndPoint, error);
            _ = CloseAsync(GoAwayCode.NoError, "sending failed: the connection was reset", sendGoAway: false);
        }
    }

    /// <summary>Blocks per gathering send: 4 MiB, well under the kernel's limit of 1,024 buffers per sendmsg.</summary>
    private const int MaxSegmentsPerSend = 64;

    /// <summary>
    /// Sends a flush that spans several of the pipe's blocks (a batch of 4 KiB replies fills one
    /// after 15) in one gathering send per <see cref="MaxSegmentsPerSend"/> blocks instead of one
    /// send per block: each send on loopback also runs the peer's receive path and wakes its reader.
    /// </summary>
    private async ValueTask SendSegmentsAsync(ReadOnlySequence<byte> buffer)
    {
        var segments = _sendSegments ??= new List<ArraySegment<byte>>(MaxSegmentsPerSend);
        try
        {
            foreach (var memory in buffer)
            {
                // The output pipe's pool is BlockPool, whose blocks (oversized ones too) are arrays.
                segments.Add(MemoryMarshal.TryGetArray(memory, out var array)
                    ? array
                    : throw new UnreachableException("an output pipe block is not array-backed"));
                if (segments.Count == MaxSegmentsPerSend)
                {
                    await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
                    segments.Clear();
                }
            }
            if (segments.Count > 0)
            {
                await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
            }
        }
        finally
        {
            segments.Clear();
        }
    }

    /// <summary>
    /// Pings every <see cref="TcpTransportOptions.PingInterval"/> from a timer callback rather than an
    /// async loop: nothing of it is compiled or run before the first tick, which keeps it off a new
    /// process's first call, and closing disposes the timer instead of cancelling a pending wait.
    /// </summary>
    private void StartPingTimer()
    {
        Volatile.Write(ref _pingTimer, new Timer(static state => ((TcpConnection)state!).OnPingTick(), this, Options.PingInterval, Options.PingInterval));
        // A close that began meanwhile may have looked before the timer was stored.
        if (IsClosing)
        {
            Interlocked.Exchange(ref _pingTimer, null)?.Dispose();
        }
    }

    private void OnPingTick()
    {
        if (IsClosing)
        {
            return;
        }
        if (Interlocked.Increment(ref _pingsOut) > Options.MaxPingOut)
        {
            TcpTransportLog.KeepAliveTimedOut(Logger, Id, RemoteEndPoint, Options.MaxPingOut);
            _ = CloseAsync(GoAwayCode.KeepAliveTimeout, $"{Options.MaxPingOut} ping(s) went unanswered");
            return;
        }
        QueueWrite(new PingFrame(FrameType.Ping, (ulong)Environment.TickCount64));
    }

    private async Task CloseCoreAsync(GoAwayCode code, string reason, bool sendGoAway)
    {
        _closeReason = reason;
        try
        {
            Interlocked.Exchange(ref _pingTimer, null)?.Dispose();
            _closing.Cancel();
            try
            {
                OnClosing(reason);
            }
            catch (Exception e)
            {
                TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
            }

            // Write the GOAWAY and complete the output once no flush waits on back-pressure. A peer
            // that stopped reading keeps one waiting: abort the socket to end it.
            var deadline = Stopwatch.GetTimestamp() + (long)(s_closeFlushTimeout.TotalSeconds * Stopwatch.Frequency);
            var complete = false;
            while (true)
            {
                Task? waitFor;
                lock (_writeGate)
                {
                    waitFor = _backPressure;
                    if (waitFor is null)
                    {
                        if (!_outputClosed)
                        {
                            _outputClosed = true;
                            complete = true;
                            _deferredFlushBackstop?.Dispose();
                            if (sendGoAway)
                            {
                                FrameWriter.WriteGoAway(_output.Writer, GoAwayLastStreamId, code, reason);
                                TcpTransportLog.GoAwaySent(Logger, Id, RemoteEndPoint, code, GoAwayLastStreamId, reason);
                            }
                        }
                        break;
                    }
                }
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                await waitFor.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!waitFor.IsCompleted)
                {
                    _socket.Dispose();
                    await waitFor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
            if (complete)
            {
                // No writer touches the pipe once the output is closed and no flush is pending.
                await _output.Writer.CompleteAsync().ConfigureAwait(false);
            }

            // Let the send loop flush what is queued (the GOAWAY) and FIN, then drop the socket,
            // which also ends a read loop still waiting on it.
            await _sendLoop.WaitAsync(s_closeFlushTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            // A peer that read our GOAWAY and FIN answers with its own FIN: wait a moment for it, so
            // that the read loop ends on the end of the stream, not on an exception from the disposed
            // socket (a process's first exception costs tens of milliseconds of loading).
            await _readLoop.WaitAsync(s_peerFinTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _socket.Dispose();
        }
        catch (Exception e)
        {
            TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
            _socket.Dispose();
        }
        finally
        {
            TcpTransportLog.ConnectionClosed(Logger, Id, RemoteEndPoint, reason);
            _closed.TrySetResult();
            try
            {
                OnClosed?.Invoke(this);
            }
            catch (Exception e)
            {
                TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
            }
        }
    }

    private static bool IsConnectionError(Exception e) =>
        e is SocketException or IOException or ObjectDisposedException
        || e.InnerException is SocketException;

    private readonly struct PingFrame(FrameType type, ulong payload) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WritePing(writer, type, payload);
    }

    private readonly struct GoAwayFrame(uint lastStreamId, GoAwayCode code, string reason) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WriteGoAway(writer, lastStreamId, code, reason);
    }
}
