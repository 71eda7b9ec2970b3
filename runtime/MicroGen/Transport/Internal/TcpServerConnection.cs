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
/// loop), writes its response, and honours CANCEL and draining.
/// </summary>
/// <remarks>
/// A REQUEST's body is copied out of the input pipe into a pooled buffer, so the read loop can move
/// on while the handler runs; the buffer is returned after the handler's task completed and its
/// response was written (the contract of <see cref="ITransportHandler.HandleAsync"/>).
/// </remarks>
internal sealed class TcpServerConnection : TcpConnection
{
    private readonly ITransportHandler _handler;
    private readonly Dictionary<uint, ServerCall> _calls = new();
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
            case FrameType.Response or FrameType.Error:
                ProtocolException.Throw($"the dialler sent a {header.Type} frame; only listeners answer calls");
                break;
            default:
                // STREAM_DATA, STREAM_END: no streaming in this version (§3.4).
                break;
        }
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
        }
        foreach (var call in calls)
        {
            // Callbacks run on the thread pool: a handler's registration must not block the close.
            _ = call.Cancellation.CancelAsync();
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
        if ((header.Flags & FrameFlags.OpenStream) != 0)
        {
            refusal = MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.NotImplemented, "streaming calls are not supported by this server");
        }
        else if (headers.Service is null || headers.Endpoint is null || headers.ContentType is null)
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
                    call = new ServerCall(this, id);
                    _calls.Add(id, call);
                }
            }
        }
        if (call is null)
        {
            QueueWrite(new ErrorFrame(id, FrameFlags.NotProcessed, refusal!.ToJson(), null));
            return;
        }

        call.Body = PooledBufferWriter.CopyOf(body);
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
        _ = call.Cancellation.CancelAsync();
    }

    private async Task RunAsync(ServerCall call)
    {
        TransportResponse? response = null;
        try
        {
            try
            {
                response = await _handler.HandleAsync(call.Request!, call.Cancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (call.Cancellation.IsCancellationRequested)
            {
                // Cancelled by the caller or by the close: nobody is waiting for an answer.
            }
            catch (Exception e)
            {
                // Never send exception text to callers: it can leak internals.
                TcpTransportLog.HandlerFailed(Logger, Id, call.StreamId, call.Request!.Endpoint, e);
                response = new TransportResponse(MicroError.Create(TcpProtocol.ErrorId, MicroStatusCode.InternalServerError, "internal server error"));
            }
            finally
            {
                lock (_calls)
                {
                    _calls.Remove(call.StreamId);
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
            call.Body?.Dispose();
        }
    }

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
        return WriteAsync(new ResponseFrame(streamId, response, blockLength, (int)payloadLength));
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

    private sealed class ServerCall(TcpServerConnection connection, uint streamId) : IThreadPoolWorkItem
    {
        public uint StreamId { get; } = streamId;

        public CancellationTokenSource Cancellation { get; } = new();

        public TransportRequest? Request { get; set; }

        public PooledBufferWriter? Body { get; set; }

        /// <summary>Set under the connection's call lock when a CANCEL arrived.</summary>
        public volatile bool CancelledByPeer;

        public void Execute() => _ = connection.RunAsync(this);
    }

    private readonly struct ResponseFrame(uint streamId, TransportResponse response, int blockLength, int payloadLength) : IFrameWrite
    {
        public void Write(PipeWriter writer) => FrameWriter.WriteResponse(writer, streamId, response, blockLength, payloadLength);
    }

    private readonly struct ErrorFrame(uint streamId, byte flags, string errorJson, Metadata? metadata) : IFrameWrite
    {
        public void Write(PipeWriter writer)
        {
            var payloadLength = FrameWriter.MeasureError(errorJson, metadata, out var blockLength);
            FrameWriter.WriteError(writer, streamId, flags, errorJson, metadata, blockLength, (int)payloadLength);
        }
    }
}
