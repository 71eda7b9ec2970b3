using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport.Internal;

/// <summary>
/// The dialling end of a connection: many concurrent calls share it, each on its own odd stream
/// id, matched to their responses through a table of <see cref="PendingCall"/>s; streaming calls
/// are matched through a table of <see cref="TcpStream"/>s (§8).
/// </summary>
internal sealed class TcpClientConnection : TcpConnection, ITransportConnection
{
    private readonly StreamTable<PendingCall> _pending = new();
    private readonly StreamTable<TcpStream> _streams = new(); // guarded by _pending, like it
    private readonly Utf8StringCache _strings = new();
    private uint _nextStreamId = 1; // guarded by the write lock: ids reach the wire in order
    private volatile bool _goAwayReceived;
    private uint _goAwayLastStreamId = uint.MaxValue;

    // remoteEndPoint: the listener's address for logs; null reads it from the connected socket.
    public TcpClientConnection(Socket socket, string remoteAddress, TcpTransportOptions options, ILogger logger, string? remoteEndPoint = null)
        : base(socket, options, logger, remoteEndPoint) => RemoteAddress = remoteAddress;

    /// <inheritdoc/>
    public string RemoteAddress { get; }

    /// <inheritdoc/>
    /// <remarks>True during the handshake too: calls may go out before the listener's preamble (§1).</remarks>
    public bool IsAvailable =>
        !IsClosing && !_goAwayReceived && !Handshake.IsFaulted && Volatile.Read(ref _nextStreamId) <= TcpProtocol.MaxStreamId;

    /// <summary>How long a dispose after GOAWAY waits for the calls still in flight.</summary>
    private static readonly TimeSpan s_goAwayDisposeTimeout = TimeSpan.FromSeconds(30);

    protected override uint GoAwayLastStreamId => 0; // the dialler accepts no streams in v1

    /// <summary>
    /// After a GOAWAY, a dispose (the client's reaction to <see cref="IsAvailable"/> turning false)
    /// lets the calls the listener promised to finish complete first (§3.9); the connection closes
    /// itself when the last one does. Without a GOAWAY, a dispose fails the calls in flight at once.
    /// </summary>
    protected override async Task BeforeDisposeAsync()
    {
        if (_goAwayReceived)
        {
            await Closed.WaitAsync(s_goAwayDisposeTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc/>
    public ValueTask<TransportResponse> InvokeAsync(TransportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request.Endpoint, nameof(request));
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TransportResponse>(cancellationToken);
        }
        if (!IsAvailable)
        {
            return ValueTask.FromException<TransportResponse>(NotAvailable());
        }
        var payloadLength = FrameWriter.MeasureRequest(request, out var blockLength);
        if (payloadLength > PeerMaxFrameSize)
        {
            if (!Handshake.IsCompletedSuccessfully)
            {
                // Only the minimum frame size is known to fit until the listener's preamble arrives (§1).
                return InvokeAfterHandshakeAsync(request, cancellationToken);
            }
            // Never send what the peer would refuse by closing the connection (§5).
            return new ValueTask<TransportResponse>(new TransportResponse(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.PayloadTooLarge,
                $"the request to {request.Endpoint} needs a frame of {payloadLength} bytes; {RemoteAddress} accepts at most {PeerMaxFrameSize}")));
        }

        var call = PendingCall.Rent(this, cancellationToken);
        var version = call.Version;
        ValueTask<bool> write;
        try
        {
            write = WriteAsync(new RequestFrame(this, call, request, blockLength, (int)payloadLength), cancellationToken,
                mayGoDirect: payloadLength <= MaxDirectSendPayload);
        }
        catch
        {
            Abandon(call);
            throw;
        }
        if (!write.IsCompletedSuccessfully)
        {
            return InvokeSlowAsync(write, call, version, cancellationToken);
        }
        if (!write.Result)
        {
            call.ReleaseUnused();
            return ValueTask.FromException<TransportResponse>(NotAvailable());
        }
        Sent(call, cancellationToken);
        return new ValueTask<TransportResponse>(call, version);
    }

    /// <inheritdoc/>
    public async ValueTask<ITransportStream> OpenStreamAsync(TransportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request.Endpoint, nameof(request));
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsAvailable)
        {
            throw NotAvailable();
        }
        var payloadLength = FrameWriter.MeasureRequest(request, out var blockLength);
        if (payloadLength > PeerMaxFrameSize && !Handshake.IsCompletedSuccessfully)
        {
            // Only the minimum frame size is known to fit until the listener's preamble arrives (§1).
            await Handshake.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (payloadLength > PeerMaxFrameSize)
        {
            // Never send what the peer would refuse by closing the connection (§5).
            throw new MicroException(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.PayloadTooLarge,
                $"the request to {request.Endpoint} needs a frame of {payloadLength} bytes; {RemoteAddress} accepts at most {PeerMaxFrameSize}"));
        }

        var stream = new TcpStream(this, isDialler: true, request.ContentType);
        try
        {
            if (!await WriteAsync(new StreamRequestFrame(this, stream, request, blockLength, (int)payloadLength), cancellationToken).ConfigureAwait(false))
            {
                throw NotAvailable();
            }
            // The token is the call's lifetime: it cancels the stream until it ends, not just the open (§8.4).
            if (cancellationToken.CanBeCanceled)
            {
                stream.Registration = cancellationToken.UnsafeRegister(
                    static (state, token) => { var s = (TcpStream)state!; ((TcpClientConnection)s.Connection).Cancel(s, token); }, stream);
            }
            // Wait for the accept, so that a refusal is reported as not processed and can be retried (§8.1).
            await stream.Accepted.ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    protected override bool PreferDirectSend => _pending.Count == 0 && _streams.Count == 0;

    protected override void OnCallFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        switch (header.Type)
        {
            case FrameType.Response when (header.Flags & FrameFlags.OpenStream) != 0:
                OnStreamAccepted(header, payload);
                break;
            case FrameType.Response:
            case FrameType.Error:
                CompleteCall(header, payload);
                break;
            case FrameType.StreamData:
                FindStream(header.StreamId, requireAccepted: true)?.OnData(payload);
                break;
            case FrameType.StreamEnd:
                OnStreamEnd(header, payload);
                break;
            case FrameType.WindowUpdate:
                var increment = FrameReader.ReadWindowUpdate(payload);
                FindStream(header.StreamId, requireAccepted: false)?.OnWindowUpdate(increment);
                break;
            case FrameType.Request:
                ProtocolException.Throw("the listener sent a REQUEST; v1 listeners open no streams");
                break;
            default:
                // CANCEL: only diallers send it; a late frame for a call that is gone is not an error (§3.5).
                break;
        }
    }

    internal override void OnStreamDisposed(TcpStream stream)
    {
        // Disposed before the listener's STREAM_END: the caller gave up, so cancel the call (§8.4).
        Forget(stream, new OperationCanceledException("the stream was disposed before the call ended"));
    }

    private void Cancel(TcpStream stream, CancellationToken token) =>
        Forget(stream, new OperationCanceledException("the streaming call was cancelled", null, token));

    /// <summary>Ends a stream that is still in the table: fails it locally with <paramref name="reason"/> and sends CANCEL.</summary>
    private void Forget(TcpStream stream, Exception reason)
    {
        lock (_pending)
        {
            if (stream.StreamId == 0 || !_streams.Remove(stream.StreamId))
            {
                return; // never sent, or already ended
            }
        }
        stream.Abort(reason);
        QueueWrite(new CancelFrame(stream.StreamId));
        CloseIfDrained();
    }

    private TcpStream? FindStream(uint streamId, bool requireAccepted)
    {
        TcpStream? stream;
        lock (_pending)
        {
            _streams.TryGetValue(streamId, out stream);
        }
        if (stream is not null && requireAccepted && !stream.Accepted.IsCompleted)
        {
            ProtocolException.Throw($"STREAM_DATA on stream {streamId} before the RESPONSE that accepts it");
        }
        return stream;
    }

    private void OnStreamAccepted(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var headers = default(HeaderBlock);
        if (!FrameReader.ReadCallPayload(payload, ref headers, _strings).IsEmpty)
        {
            ProtocolException.Throw("a RESPONSE accepting a stream carries a body");
        }
        bool unary;
        lock (_pending)
        {
            unary = _pending.ContainsKey(header.StreamId);
        }
        if (unary)
        {
            ProtocolException.Throw($"a RESPONSE with OPEN_STREAM answers unary call {header.StreamId}");
        }
        FindStream(header.StreamId, requireAccepted: false)?.OnAccepted(headers.ContentType);
    }

    private void OnStreamEnd(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var trailers = default(HeaderBlock);
        FrameReader.ReadTrailers(payload, ref trailers);
        TcpStream? stream;
        lock (_pending)
        {
            // The listener's STREAM_END ends the call: forget the stream (§8.1).
            if (!_streams.Remove(header.StreamId, out stream))
            {
                return;
            }
        }
        if (!stream.Accepted.IsCompleted)
        {
            ProtocolException.Throw($"STREAM_END on stream {header.StreamId} before the RESPONSE that accepts it");
        }
        stream.OnEnd(trailers.Error is { } json ? MicroError.Parse(json) : null, trailers.Metadata);
        CloseIfDrained();
    }

    protected override void OnGoAway(uint lastStreamId, GoAwayCode code, string reason)
    {
        List<PendingCall>? refused = null;
        List<TcpStream>? refusedStreams = null;
        lock (_pending)
        {
            foreach (var stream in _streams.Values)
            {
                if (stream.StreamId > lastStreamId)
                {
                    (refusedStreams ??= new List<TcpStream>()).Add(stream);
                }
            }
            foreach (var stream in refusedStreams ?? [])
            {
                _streams.Remove(stream.StreamId);
            }
            _goAwayLastStreamId = Math.Min(_goAwayLastStreamId, lastStreamId);
            _goAwayReceived = true;
            foreach (var call in _pending.Values)
            {
                if (call.StreamId > lastStreamId)
                {
                    (refused ??= new List<PendingCall>()).Add(call);
                }
            }
            if (refused is not null)
            {
                foreach (var call in refused)
                {
                    _pending.Remove(call.StreamId);
                }
            }
        }
        if (refused is not null)
        {
            // The listener promised not to process these (§3.9): safe to retry elsewhere.
            foreach (var call in refused)
            {
                call.SetException(new TransportException($"{RemoteAddress} is going away ({reason}) and did not process the call", notProcessed: true));
            }
        }
        foreach (var stream in refusedStreams ?? [])
        {
            stream.Abort(new TransportException($"{RemoteAddress} is going away ({reason}) and did not process the call", notProcessed: true));
        }
        CloseIfDrained();
    }

    /// <summary>After a GOAWAY, the connection has no further use once its last call completed.</summary>
    private void CloseIfDrained()
    {
        if (!_goAwayReceived)
        {
            return;
        }
        lock (_pending)
        {
            if (_pending.Count != 0 || _streams.Count != 0)
            {
                return;
            }
        }
        _ = CloseAsync(GoAwayCode.NoError, "the listener went away and no calls remain");
    }

    protected override void OnClosing(string reason)
    {
        PendingCall[] calls;
        TcpStream[] streams;
        uint goAwayLast;
        lock (_pending)
        {
            calls = [.. _pending.Values];
            _pending.Clear();
            streams = [.. _streams.Values];
            _streams.Clear();
            goAwayLast = _goAwayLastStreamId;
        }
        foreach (var stream in streams)
        {
            // Every open stream fails on a closed connection (§8.5).
            stream.Abort(new TransportException($"the connection to {RemoteAddress} closed: {reason}", PeerProcessedNothing || stream.StreamId > goAwayLast));
        }
        foreach (var call in calls)
        {
            // A call sent before a GOAWAY's last stream id may have reached a handler (§3.9), unless
            // the handshake showed the peer never ran one (§1).
            var notProcessed = PeerProcessedNothing || call.StreamId > goAwayLast;
            call.SetException(new TransportException($"the connection to {RemoteAddress} closed: {reason}", notProcessed));
        }
    }

    /// <summary>A call too large for the minimum frame size, once the listener's preamble told its own.</summary>
    private async ValueTask<TransportResponse> InvokeAfterHandshakeAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        // A failed handshake throws its TransportException (not processed: nothing was sent).
        await Handshake.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await InvokeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<TransportResponse> InvokeSlowAsync(ValueTask<bool> write, PendingCall call, short version, CancellationToken cancellationToken)
    {
        bool written;
        try
        {
            written = await write.ConfigureAwait(false);
        }
        catch
        {
            Abandon(call);
            throw;
        }
        if (!written)
        {
            call.ReleaseUnused();
            throw NotAvailable();
        }
        Sent(call, cancellationToken);
        return await new ValueTask<TransportResponse>(call, version).ConfigureAwait(false);
    }

    private void Sent(PendingCall call, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            call.Registration = cancellationToken.UnsafeRegister(static state => ((PendingCall)state!).Owner!.Cancel((PendingCall)state!), call);
        }
        call.Release();
    }

    /// <summary>The request frame may or may not have been written: settle the call either way.</summary>
    private void Abandon(PendingCall call)
    {
        bool wasPending;
        lock (_pending)
        {
            wasPending = call.StreamId != 0 && _pending.Remove(call.StreamId);
        }
        if (wasPending || call.StreamId == 0)
        {
            call.ReleaseUnused();
        }
        // Otherwise someone else removed and completed it; the never-awaited call is left to the GC.
    }

    private void Cancel(PendingCall call)
    {
        lock (_pending)
        {
            if (!_pending.Remove(call.StreamId))
            {
                return; // the response won the race
            }
        }
        var streamId = call.StreamId;
        call.SetException(new OperationCanceledException(call.CancellationToken));
        // Tell the listener to cancel the handler (§3.6). Queued: this runs inside Cancel().
        QueueWrite(new CancelFrame(streamId));
        CloseIfDrained();
    }

    private void CompleteCall(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var headers = default(HeaderBlock);
        var body = FrameReader.ReadCallPayload(payload, ref headers, _strings);
        if (header.Type == FrameType.Error && !body.IsEmpty)
        {
            ProtocolException.Throw("an ERROR frame carries a body");
        }

        PendingCall? call;
        TcpStream? stream = null;
        lock (_pending)
        {
            if (_pending.Remove(header.StreamId, out call) is false)
            {
                if (_streams.Remove(header.StreamId, out stream) is false)
                {
                    return; // cancelled or refused by GOAWAY already: ignore (§3.6)
                }
            }
        }
        if (call is null)
        {
            CompleteStreamWithError(header, headers, stream!);
            return;
        }

        if (header.Type == FrameType.Response)
        {
            // Copy the body out of the pipe: the caller keeps it after the read loop moves on.
            call.SetResult(PooledResponse.Create(headers.ContentType ?? string.Empty, body, headers.Metadata));
        }
        else
        {
            var error = headers.Error is { } json
                ? MicroError.Parse(json)
                : MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.InternalServerError, "the listener sent an ERROR without Micro-Error");
            if ((header.Flags & FrameFlags.NotProcessed) != 0)
            {
                call.SetException(new TransportException($"{RemoteAddress} refused the call, which was not processed: {error.Detail}", notProcessed: true));
            }
            else
            {
                call.SetResult(new TransportResponse(error, headers.Metadata));
            }
        }
        CloseIfDrained();
    }

    /// <summary>An ERROR answered an OPEN_STREAM REQUEST: a refusal, or a handler that failed before the stream began (§8.1).</summary>
    private void CompleteStreamWithError(in FrameHeader header, in HeaderBlock headers, TcpStream stream)
    {
        if (header.Type != FrameType.Error)
        {
            ProtocolException.Throw($"a RESPONSE without OPEN_STREAM answers streaming call {header.StreamId}");
        }
        var error = headers.Error is { } json
            ? MicroError.Parse(json)
            : MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.InternalServerError, "the listener sent an ERROR without Micro-Error");
        if ((header.Flags & FrameFlags.NotProcessed) != 0)
        {
            stream.Abort(new TransportException($"{RemoteAddress} refused the call, which was not processed: {error.Detail}", notProcessed: true));
        }
        else
        {
            stream.OnEnd(error, headers.Metadata);
        }
        CloseIfDrained();
    }

    private TransportException NotAvailable() => new(
        IsClosing ? $"the connection to {RemoteAddress} is closed: {CloseReason}"
        : _goAwayReceived ? $"{RemoteAddress} is going away and takes no new calls"
        : $"the connection to {RemoteAddress} has no stream ids left",
        notProcessed: true);

    private void Register(PendingCall call)
    {
        // Under the write lock: allocate the next odd id and record the call before its frame exists.
        var id = NextStreamId();
        call.StreamId = id;
        lock (_pending)
        {
            _pending.Add(id, call);
        }
    }

    private void Register(TcpStream stream)
    {
        var id = NextStreamId();
        stream.StreamId = id;
        lock (_pending)
        {
            _streams.Add(id, stream);
        }
    }

    /// <summary>Under the write lock: ids reach the wire in increasing order (§2).</summary>
    private uint NextStreamId()
    {
        var id = _nextStreamId;
        if (id > TcpProtocol.MaxStreamId)
        {
            throw NotAvailable();
        }
        Volatile.Write(ref _nextStreamId, id + 2);
        return id;
    }

    private readonly struct RequestFrame(TcpClientConnection connection, PendingCall call, TransportRequest request, int blockLength, int payloadLength) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer)
        {
            connection.Register(call);
            FrameWriter.WriteRequest(writer, call.StreamId, request, blockLength, payloadLength);
        }
    }

    private readonly struct StreamRequestFrame(TcpClientConnection connection, TcpStream stream, TransportRequest request, int blockLength, int payloadLength) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer)
        {
            connection.Register(stream);
            FrameWriter.WriteRequest(writer, stream.StreamId, request, blockLength, payloadLength, FrameFlags.OpenStream);
        }
    }

    private readonly struct CancelFrame(uint streamId) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WriteCancel(writer, streamId);
    }
}
