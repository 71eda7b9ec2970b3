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
/// The dialling end of a connection: many concurrent calls share it, each on its own odd stream
/// id, matched to their responses through a table of <see cref="PendingCall"/>s.
/// </summary>
internal sealed class TcpClientConnection : TcpConnection, ITransportConnection
{
    private readonly Dictionary<uint, PendingCall> _pending = new();
    private readonly Utf8StringCache _strings = new();
    private uint _nextStreamId = 1; // guarded by the write lock: ids reach the wire in order
    private volatile bool _goAwayReceived;
    private uint _goAwayLastStreamId = uint.MaxValue;

    public TcpClientConnection(Socket socket, string remoteAddress, TcpTransportOptions options, ILogger logger)
        : base(socket, options, logger) => RemoteAddress = remoteAddress;

    /// <inheritdoc/>
    public string RemoteAddress { get; }

    /// <inheritdoc/>
    public bool IsAvailable =>
        !IsClosing && !_goAwayReceived && Handshake.IsCompletedSuccessfully && Volatile.Read(ref _nextStreamId) <= TcpProtocol.MaxStreamId;

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
        ArgumentNullException.ThrowIfNull(request);
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
            // Never send what the peer would refuse by closing the connection (§5).
            return new ValueTask<TransportResponse>(new TransportResponse(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.PayloadTooLarge,
                $"the request to {request.Endpoint} needs a frame of {payloadLength} bytes; {RemoteAddress} accepts at most {PeerMaxFrameSize}")));
        }

        var call = PendingCall.Rent(this, cancellationToken);
        var version = call.Version;
        ValueTask<bool> write;
        try
        {
            write = WriteAsync(new RequestFrame(this, call, request, blockLength, (int)payloadLength), cancellationToken);
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

    protected override void OnCallFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        switch (header.Type)
        {
            case FrameType.Response:
            case FrameType.Error:
                CompleteCall(header, payload);
                break;
            case FrameType.Request:
                ProtocolException.Throw("the listener sent a REQUEST; v1 listeners open no streams");
                break;
            default:
                // CANCEL, STREAM_DATA, STREAM_END: no streaming in this version; a late frame for a
                // call that is gone is not an error (§3.4).
                break;
        }
    }

    protected override void OnGoAway(uint lastStreamId, GoAwayCode code, string reason)
    {
        List<PendingCall>? refused = null;
        lock (_pending)
        {
            _goAwayLastStreamId = Math.Min(_goAwayLastStreamId, lastStreamId);
            _goAwayReceived = true;
            foreach (var (id, call) in _pending)
            {
                if (id > lastStreamId)
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
            if (_pending.Count != 0)
            {
                return;
            }
        }
        _ = CloseAsync(GoAwayCode.NoError, "the listener went away and no calls remain");
    }

    protected override void OnClosing(string reason)
    {
        PendingCall[] calls;
        uint goAwayLast;
        lock (_pending)
        {
            calls = [.. _pending.Values];
            _pending.Clear();
            goAwayLast = _goAwayLastStreamId;
        }
        foreach (var call in calls)
        {
            // A call sent before a GOAWAY's last stream id may have reached a handler (§3.9).
            var notProcessed = call.StreamId > goAwayLast;
            call.SetException(new TransportException($"the connection to {RemoteAddress} closed: {reason}", notProcessed));
        }
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
        lock (_pending)
        {
            if (_pending.Remove(header.StreamId, out call) is false)
            {
                return; // cancelled or refused by GOAWAY already: ignore (§3.6)
            }
        }

        if (header.Type == FrameType.Response)
        {
            // Copy the body out of the pipe: the caller keeps it after the read loop moves on.
            var copy = PooledBufferWriter.CopyOf(body);
            call.SetResult(new TransportResponse(headers.ContentType ?? string.Empty, copy.WrittenSequence, copy, headers.Metadata));
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

    private TransportException NotAvailable() => new(
        IsClosing ? $"the connection to {RemoteAddress} is closed: {CloseReason}"
        : _goAwayReceived ? $"{RemoteAddress} is going away and takes no new calls"
        : $"the connection to {RemoteAddress} has no stream ids left",
        notProcessed: true);

    private void Register(PendingCall call)
    {
        // Under the write lock: allocate the next odd id and record the call before its frame exists.
        var id = _nextStreamId;
        if (id > TcpProtocol.MaxStreamId)
        {
            throw NotAvailable();
        }
        Volatile.Write(ref _nextStreamId, id + 2);
        call.StreamId = id;
        lock (_pending)
        {
            _pending.Add(id, call);
        }
    }

    private readonly struct RequestFrame(TcpClientConnection connection, PendingCall call, TransportRequest request, int blockLength, int payloadLength) : IFrameWrite
    {
        public void Write(PipeWriter writer)
        {
            connection.Register(call);
            FrameWriter.WriteRequest(writer, call.StreamId, request, blockLength, payloadLength);
        }
    }

    private readonly struct CancelFrame(uint streamId) : IFrameWrite
    {
        public void Write(PipeWriter writer) => FrameWriter.WriteCancel(writer, streamId);
    }
}
