using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport.Internal;

/// <summary>
/// The listening end of a connection: runs each REQUEST's handler concurrently (never on the read
/// loop), writes its response, and honours CANCEL and draining. A REQUEST with <c>OPEN_STREAM</c>
/// is accepted as a streaming call and handed to <see cref="ITransportHandler.HandleStreamAsync"/>
/// with a <see cref="TcpStream"/> (§8).
/// </summary>
/// <remarks>
/// A REQUEST's body is copied out of the input pipe into a pooled buffer, so the read loop can move
/// on while the handler runs; the buffer is returned after the handler's task completed and its
/// response was written (the contract of <see cref="ITransportHandler.HandleAsync"/>).
/// </remarks>
internal sealed class TcpServerConnection : TcpConnection
{
    private readonly ITransportHandler _handler;
    private const int MaxPooledCalls = 256;
    private readonly StreamTable<ServerCall> _calls = new();
    private readonly Stack<ServerCall> _freeCalls = new(); // guarded by _calls
    private readonly Utf8StringCache _strings = new();
    private uint _highestStreamId; // read loop only
    private uint _lastAcceptedStreamId; // guarded by _calls
    private bool _goingAway; // guarded by _calls

    public TcpServerConnection(Socket socket, ITransportHandler handler, TcpTransportOptions options, ILogger logger)
        : base(socket, options, logger) => _handler = handler;

    /// <summary>How many handlers are running on this connection.</summary>
    public int InFlight
    {
        get
        {
            lock (_calls)
            {
                return _calls.Count;
            }
        }
    }

    protected override uint GoAwayLastStreamId
    {
        get
        {
            lock (_calls)
            {
                return _lastAcceptedStreamId;
            }
        }
    }

    /// <summary>
    /// Sends GOAWAY(NO_ERROR): from now on every new REQUEST is refused as not processed, and the
    /// GOAWAY names the last stream accepted. Recording it and refusing happen under one lock, so
    /// no accepted call has an id above the one announced (§3.9). Idempotent.
    /// </summary>
    public ValueTask GoAwayAsync()
    {
        uint last;
        lock (_calls)
        {
            if (_goingAway)
            {
                return ValueTask.CompletedTask;
            }
            _goingAway = true;
            last = _lastAcceptedStreamId;
        }
        return SendGoAwayAsync(last, GoAwayCode.NoError, "the server is draining");
    }

    protected override void OnCallFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        switch (header.Type)
        {
            case FrameType.Request:
                OnRequest(header, payload);
                break;
            case FrameType.Cancel:
                OnCancel(header.StreamId);
                break;
            case FrameType.StreamData:
                FindStream(header)?.OnData(payload);
                break;
            case FrameType.StreamEnd:
                // The dialler sends no trailers; any it sends are checked, then ignored (§8.1).
                var trailers = default(HeaderBlock);
                FrameReader.ReadTrailers(payload, ref trailers);
                FindStream(header)?.OnEnd(null, null);
                break;
            case FrameType.WindowUpdate:
                var increment = FrameReader.ReadWindowUpdate(payload);
                FindStream(header)?.OnWindowUpdate(increment);
                break;
            case FrameType.Response or FrameType.Error:
                ProtocolException.Throw($"the dialler sent a {header.Type} frame; only listeners answer calls");
                break;
        }
    }

    /// <summary>The stream a STREAM_* or WINDOW_UPDATE frame is for; null when the call is gone (§3.5).</summary>
    private TcpStream? FindStream(in FrameHeader header)
    {
        ServerCall? call;
        lock (_calls)
        {
            if (!_calls.TryGetValue(header.StreamId, out call))
            {
                return null;
            }
        }
        if (call.Stream is null)
        {
            ProtocolException.Throw($"a {header.Type} frame on unary call {header.StreamId}");
        }
        return call.Stream;
    }

    protected override void OnGoAway(uint lastStreamId, GoAwayCode code, string reason)
    {
        // The dialler is leaving: it starts no new calls; the ones running finish or are cancelled
        // when the connection closes.
    }

    protected override void OnClosing(string reason)
    {
        ServerCall[] calls;
        lock (_calls)
        {
            _goingAway = true;
            calls = [.. _calls.Values];
            foreach (var call in calls)
            {
                call.Aborted = true;
            }
        }
        foreach (var call in calls)
        {
            // Callbacks run on the thread pool: a handler's registration must not block the close.
            // The token first: a handler that sees its stream fail can tell that it was the close.
            _ = CancelThenAbortAsync(call, new TransportException($"the connection closed: {reason}", notProcessed: false));
        }
    }

    private void OnRequest(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        var id = header.StreamId;
        if ((id & 1) == 0)
        {
            ProtocolException.Throw($"a REQUEST on even stream {id}; dialler streams are odd");
        }
        if (id <= _highestStreamId)
        {
            ProtocolException.Throw($"a REQUEST on stream {id}, not above the previous stream {_highestStreamId}");
        }
        _highestStreamId = id;

        var headers = default(HeaderBlock);
        var body = FrameReader.ReadCallPayload(payload, ref headers, _strings);

        MicroError? refusal = null;
        var isStream = (header.Flags & FrameFlags.OpenStream) != 0;
        if (headers.Service is null || headers.Endpoint is null || headers.ContentType is null)
        {
            refusal = MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.BadRequest,
                "the REQUEST lacks a required header (Micro-Service, Micro-Endpoint, Content-Type)");
        }

        ServerCall? call = null;
        if (refusal is null)
        {
            lock (_calls)
            {
                if (_goingAway)
                {
                    refusal = MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.ServiceUnavailable, "refused, not processed: the server is going away");
                }
                else if (_calls.Count >= Options.MaxConcurrentCalls)
                {
                    refusal = MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.ServiceUnavailable,
                        $"refused, not processed: {Options.MaxConcurrentCalls} calls are already running on this connection");
                }
                else
                {
                    _lastAcceptedStreamId = id;
                    call = !isStream && _freeCalls.TryPop(out var free) ? free : new ServerCall(this);
                    call.StreamId = id;
                    if (isStream)
                    {
                        // The stream exists from the REQUEST on: the dialler may send before the accept (§8.1).
                        call.Stream = new TcpStream(this, isDialler: false, headers.ContentType!, id);
                    }
                    _calls.Add(id, call);
                }
            }
        }
        if (call is null)
        {
            QueueWrite(new ErrorFrame(id, FrameFlags.NotProcessed, refusal!.ToJson(), null));
            return;
        }

        if (isStream)
        {
            call.Body = PooledBufferWriter.CopyOf(body);
        }
        else
        {
            // A unary call's state is reused with its buffer (see Recycle).
            (call.Body ??= new PooledBufferWriter(checked((int)body.Length))).CopyFrom(body);
        }
        call.Request = new TransportRequest
        {
            Service = headers.Service!,
            Endpoint = headers.Endpoint!,
            ContentType = headers.ContentType!,
            Id = headers.Id,
            Timeout = headers.TimeoutMilliseconds is { } milliseconds ? TimeSpan.FromMilliseconds(milliseconds) : null,
            Metadata = headers.Metadata,
            Body = call.Body.WrittenSequence,
        };
        // Never run a handler on the read loop: it would stall every other call on the connection.
        ThreadPool.UnsafeQueueUserWorkItem(call, preferLocal: false);
    }

    private void OnCancel(uint streamId)
    {
        ServerCall? call;
        lock (_calls)
        {
            if (!_calls.TryGetValue(streamId, out call))
            {
                return; // finished already (§3.6)
            }
            call.CancelledByPeer = true;
        }
        _ = CancelThenAbortAsync(call, new OperationCanceledException("the caller cancelled the call", null, call.Cancellation.Token));
    }

    /// <summary>
    /// Cancels the call's token, then fails its stream once every cancellation callback has run:
    /// the handler's own (linked) token must have fired before its stream reads or writes fail,
    /// or a handler could return before it ever sees the cancellation. The read loop does not wait.
    /// </summary>
    private static async Task CancelThenAbortAsync(ServerCall call, Exception reason)
    {
        try
        {
            await call.Cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectDisposedException or AggregateException)
        {
            // The call finished meanwhile, or a handler's registration threw: the stream fails either way.
        }
        finally
        {
            call.Stream?.Abort(reason);
        }
    }

    private async Task RunStreamAsync(ServerCall call)
    {
        var stream = call.Stream!;
        try
        {
            // The accept precedes every frame of the stream (§8.1): the handler starts once it is written.
            if (!await WriteAsync(new StreamAcceptFrame(call.StreamId, stream.ContentType)).ConfigureAwait(false))
            {
                return;
            }
            MicroError? error = null;
            try
            {
                await _handler.HandleStreamAsync(call.Request, stream, call.Cancellation.Token).ConfigureAwait(false);
            }
            catch (Exception) when (call.Cancellation.IsCancellationRequested)
            {
                // Cancelled by the caller or by the close: nobody is waiting for an answer (§8.4).
            }
            catch (OperationCanceledException)
            {
                // The handler gave up on its own: tell the caller, who is still waiting (§8.2).
                error = MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.Cancelled, "the handler cancelled the call");
            }
            catch (Exception e)
            {
                // Never send exception text to callers: it can leak internals.
                TcpTransportLog.HandlerFailed(Logger, Id, call.StreamId, call.Request.Endpoint, e);
                error = MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.InternalServerError, "internal server error");
            }
            // The handler's contract is to complete the stream; when it did, this does nothing.
            await stream.CompleteAsync(error, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception) when (IsClosing)
        {
            // The connection closed under the write; the close path logged why.
        }
        catch (Exception e)
        {
            TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
        }
        finally
        {
            lock (_calls)
            {
                _calls.Remove(call.StreamId);
            }
            await stream.DisposeAsync().ConfigureAwait(false);
            call.Body?.Dispose();
        }
    }

    private async Task RunAsync(ServerCall call)
    {
        TransportResponse? response = null;
        var reusable = false;
        try
        {
            try
            {
                response = await _handler.HandleAsync(call.Request, call.Cancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (call.Cancellation.IsCancellationRequested)
            {
                // Cancelled by the caller or by the close: nobody is waiting for an answer.
            }
            catch (OperationCanceledException)
            {
                // The handler gave up on its own: 499, as for a stream (§8.2), not a crash.
                response = new TransportResponse(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.Cancelled, "the handler cancelled the call"));
            }
            catch (Exception e)
            {
                // Never send exception text to callers: it can leak internals.
                TcpTransportLog.HandlerFailed(Logger, Id, call.StreamId, call.Request.Endpoint, e);
                response = new TransportResponse(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.InternalServerError, "internal server error"));
            }
            finally
            {
                lock (_calls)
                {
                    _calls.Remove(call.StreamId);
                    // Nothing can cancel the call from now on unless a CANCEL or the close found it first.
                    reusable = !call.CancelledByPeer && !call.Aborted;
                }
            }

            if (response is not null && !call.CancelledByPeer && !IsClosing)
            {
                await WriteResponseAsync(call.StreamId, response).ConfigureAwait(false);
            }
        }
        catch (Exception) when (IsClosing)
        {
            // The connection closed under the write; the close path logged why.
        }
        catch (Exception e)
        {
            TcpTransportLog.UnexpectedError(Logger, Id, RemoteEndPoint, e);
        }
        finally
        {
            response?.Dispose();
            if (reusable)
            {
                Recycle(call);
            }
            else
            {
                call.Body?.Dispose();
            }
        }
    }

    /// <summary>Keeps a finished unary call's state for the next REQUEST, its token reset.</summary>
    private void Recycle(ServerCall call)
    {
        call.Reset();
        lock (_calls)
        {
            if (_freeCalls.Count < MaxPooledCalls && !_goingAway)
            {
                _freeCalls.Push(call);
            }
        }
    }

    /// <inheritdoc/>
    protected override bool PreferDirectSend => _calls.Count == 0;

    private ValueTask<bool> WriteResponseAsync(uint streamId, TransportResponse response)
    {
        if (response.Error is { } error)
        {
            return WriteErrorAsync(streamId, 0, error, response.Metadata);
        }
        var payloadLength = FrameWriter.MeasureResponse(response, out var blockLength);
        if (payloadLength > PeerMaxFrameSize)
        {
            // Never send what the peer would refuse by closing the connection (§5).
            return WriteErrorAsync(streamId, 0, MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.PayloadTooLarge,
                $"the response needs a frame of {payloadLength} bytes; the caller accepts at most {PeerMaxFrameSize}"), null);
        }
        return WriteAsync(new ResponseFrame(streamId, response, blockLength, (int)payloadLength), mayGoDirect: payloadLength <= MaxDirectSendPayload);
    }

    private ValueTask<bool> WriteErrorAsync(uint streamId, byte flags, MicroError error, Metadata? metadata)
    {
        var json = error.ToJson();
        if (FrameWriter.MeasureError(json, metadata, out _) > PeerMaxFrameSize)
        {
            json = MicroError.Create(error.Id, error.Code, "the error was too large to send").ToJson();
            metadata = null;
        }
        return WriteAsync(new ErrorFrame(streamId, flags, json, metadata));
    }

    /// <summary>One call's state on the listener; unary calls' states are reused (see <see cref="Recycle"/>).</summary>
    private sealed class ServerCall(TcpServerConnection connection) : IThreadPoolWorkItem
    {
        private const int MaxRetainedBody = 16 * 1024;

        public uint StreamId { get; set; }

        public CancellationTokenSource Cancellation { get; private set; } = new();

        public TransportRequest Request { get; set; }

        public PooledBufferWriter? Body { get; set; }

        /// <summary>The listener's end of a streaming call; null for a unary call.</summary>
        public TcpStream? Stream { get; set; }

        /// <summary>Set under the connection's call lock when a CANCEL arrived.</summary>
        public volatile bool CancelledByPeer;

        /// <summary>Set under the connection's call lock when the connection began closing with the call open.</summary>
        public bool Aborted;

        public void Execute() => _ = Stream is null ? connection.RunAsync(this) : connection.RunStreamAsync(this);

        /// <summary>
        /// Readies the state for another call. Only a call that nothing can cancel any more gets
        /// here; a source a handler cancelled (or whose registrations threw) is replaced.
        /// </summary>
        public void Reset()
        {
            Request = default;
            Body?.Clear(MaxRetainedBody);
            CancelledByPeer = false;
            Aborted = false;
            if (!Cancellation.TryReset())
            {
                Cancellation.Dispose();
                Cancellation = new CancellationTokenSource();
            }
        }
    }

    private readonly struct ResponseFrame(uint streamId, TransportResponse response, int blockLength, int payloadLength) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WriteResponse(writer, streamId, response, blockLength, payloadLength);
    }

    private readonly struct StreamAcceptFrame(uint streamId, string contentType) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer) => FrameWriter.WriteStreamAccept(writer, streamId, contentType);
    }

    private readonly struct ErrorFrame(uint streamId, byte flags, string errorJson, Metadata? metadata) : IFrameWrite
    {
        public void Write(IBufferWriter<byte> writer)
        {
            var payloadLength = FrameWriter.MeasureError(errorJson, metadata, out var blockLength);
            FrameWriter.WriteError(writer, streamId, flags, errorJson, metadata, blockLength, (int)payloadLength);
        }
    }
}
