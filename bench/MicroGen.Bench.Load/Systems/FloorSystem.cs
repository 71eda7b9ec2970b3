using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace MicroGen.Bench.Load.Systems;

/// <summary>
/// The floor: the least work a multiplexed request/response can do over one TCP connection here.
/// A frame is <c>[int32 id][int32 length][payload]</c> (little-endian); the server answers each
/// request frame with <c>"Hello " + payload</c> under the same id, straight from its receive loop
/// (no dispatch, no task per call), flushing once per read. The client writes frames into one
/// in-memory pipe drained by a send loop, and its receive loop completes the caller's reusable
/// value-task source inline. Nothing is allocated per call on either side.
/// </summary>
/// <remarks>
/// Server streaming: a request id with <see cref="StreamFlag"/> carries <c>[int32 count][name]</c>;
/// the server answers with <c>count</c> frames of <c>"Hello " + name</c> and an end frame of length -1.
/// </remarks>
internal sealed class FloorSystem : IBenchSystem
{
    public const int StreamFlag = unchecked((int)0x80000000);
    public const int HeaderSize = 8;
    private static readonly byte[] s_prefix = "Hello "u8.ToArray();

    public string Name => BenchSystems.Floor;

    public string? StreamingUnsupported => null;

    public Task<IBenchServer> StartServerAsync() => Task.FromResult<IBenchServer>(new Server());

    public async Task<IBenchClient> ConnectAsync(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(address)).ConfigureAwait(false);
        return new Client(socket);
    }

    // The floor's "objects" are bytes in reused buffers: nothing user-level is allocated per call.
    public long ServerUserBytes(Payload payload) => 0;

    public long ClientUserBytes(Payload payload) => 0;

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out int id, out ReadOnlySequence<byte> payload, out int length)
    {
        payload = default;
        id = 0;
        length = 0;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        id = BinaryPrimitives.ReadInt32LittleEndian(header);
        length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var bodyLength = Math.Max(length, 0);
        if (buffer.Length < HeaderSize + bodyLength)
        {
            return false;
        }
        payload = buffer.Slice(HeaderSize, bodyLength);
        buffer = buffer.Slice(HeaderSize + bodyLength);
        return true;
    }

    private static void WriteReply(IBufferWriter<byte> writer, int id, in ReadOnlySequence<byte> name)
    {
        var length = s_prefix.Length + (int)name.Length;
        var span = writer.GetSpan(HeaderSize + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, id);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], length);
        s_prefix.CopyTo(span[HeaderSize..]);
        name.CopyTo(span[(HeaderSize + s_prefix.Length)..]);
        writer.Advance(HeaderSize + length);
    }

    private static bool ContentEquals(in ReadOnlySequence<byte> actual, byte[] expected)
    {
        if (actual.Length != expected.Length)
        {
            return false;
        }
        if (actual.IsSingleSegment)
        {
            return actual.FirstSpan.SequenceEqual(expected);
        }
        var offset = 0;
        foreach (var segment in actual)
        {
            if (!segment.Span.SequenceEqual(expected.AsSpan(offset, segment.Length)))
            {
                return false;
            }
            offset += segment.Length;
        }
        return true;
    }

    private sealed class Server : IBenchServer
    {
        private readonly Socket _listener;
        private readonly Task _accepting;

        public Server()
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(512);
            Address = _listener.LocalEndPoint!.ToString()!;
            _accepting = AcceptAsync();
        }

        public string Address { get; }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            try
            {
                await _accepting.ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync().ConfigureAwait(false);
                socket.NoDelay = true;
                _ = Task.Run(() => ServeAsync(socket));
            }
        }

        private static async Task ServeAsync(Socket socket)
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(pool: BlockPool.Shared, bufferSize: BlockPool.BlockSize, minimumReadSize: 4096));
            var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool: BlockPool.Shared, minimumBufferSize: BlockPool.BlockSize));
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync().ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var streamId = 0;
                    var streamCount = 0;
                    byte[]? streamName = null;
                    while (TryReadFrame(ref buffer, out var id, out var payload, out _))
                    {
                        if ((id & StreamFlag) != 0)
                        {
                            streamId = id;
                            var header = payload.Slice(0, 4).ToArray();
                            streamCount = BinaryPrimitives.ReadInt32LittleEndian(header);
                            streamName = payload.Slice(4).ToArray();
                            break;
                        }
                        WriteReply(writer, id, payload);
                    }
                    // When a stream request stopped the loop early, the rest is examined again at once.
                    if (streamName is null)
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                    }
                    else
                    {
                        reader.AdvanceTo(buffer.Start);
                    }
                    await writer.FlushAsync().ConfigureAwait(false);
                    if (streamName is not null)
                    {
                        await StreamAsync(writer, streamId, streamCount, streamName).ConfigureAwait(false);
                    }
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is System.IO.IOException or SocketException or ObjectDisposedException)
            {
                // The client went away.
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                await writer.CompleteAsync().ConfigureAwait(false);
            }
        }

        private static async Task StreamAsync(PipeWriter writer, int id, int count, byte[] name)
        {
            var sequence = new ReadOnlySequence<byte>(name);
            for (var i = 0; i < count; i++)
            {
                WriteReply(writer, id, sequence);
                if (writer.UnflushedBytes >= 32 * 1024)
                {
                    await writer.FlushAsync().ConfigureAwait(false);
                }
            }
            var end = writer.GetSpan(HeaderSize);
            BinaryPrimitives.WriteInt32LittleEndian(end, id);
            BinaryPrimitives.WriteInt32LittleEndian(end[4..], -1);
            writer.Advance(HeaderSize);
            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    private sealed class Client : IBenchClient
    {
        private const int MaxWorkers = 4096;

        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly Pipe _output = new(new PipeOptions(pool: BlockPool.Shared, pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: BlockPool.BlockSize, useSynchronizationContext: false));
        private readonly object _sendLock = new();
        private readonly Slot?[] _slots = new Slot?[MaxWorkers];
        private readonly StreamSlot _streamSlot = new();
        private readonly Task _sending;
        private readonly Task _receiving;

        public Client(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _sending = SendLoopAsync();
            _receiving = ReceiveLoopAsync();
        }

        public UnaryCaller CreateCaller(int worker, Payload payload)
        {
            var slot = new Slot(this, worker, payload);
            _slots[worker] = slot;
            return slot;
        }

        public async Task<long> StreamAsync(Payload payload, int count, CancellationToken cancellationToken)
        {
            _streamSlot.Begin(payload);
            var body = new byte[4 + payload.NameUtf8.Length];
            BinaryPrimitives.WriteInt32LittleEndian(body, count);
            payload.NameUtf8.CopyTo(body, 4);
            Send(StreamFlag, body);
            var received = await new ValueTask<long>(_streamSlot, _streamSlot.Version).ConfigureAwait(false);
            if (_streamSlot.Mismatches > 0)
            {
                throw new InvalidOperationException($"{_streamSlot.Mismatches} stream messages had the wrong content");
            }
            return received;
        }

        public async ValueTask DisposeAsync()
        {
            _output.Writer.Complete();
            try
            {
                await _sending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.IO.IOException or SocketException or ObjectDisposedException)
            {
            }
            _socket.Shutdown(SocketShutdown.Both);
            await _stream.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _receiving.ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.IO.IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        private void Send(int id, ReadOnlySpan<byte> payload)
        {
            lock (_sendLock)
            {
                var writer = _output.Writer;
                var span = writer.GetSpan(HeaderSize + payload.Length);
                BinaryPrimitives.WriteInt32LittleEndian(span, id);
                BinaryPrimitives.WriteInt32LittleEndian(span[4..], payload.Length);
                payload.CopyTo(span[HeaderSize..]);
                writer.Advance(HeaderSize + payload.Length);
                // Never pauses (pauseWriterThreshold 0), so this completes synchronously and wakes the send loop.
                var flush = writer.FlushAsync();
                if (!flush.IsCompleted)
                {
                    flush.AsTask().GetAwaiter().GetResult();
                }
            }
        }

        private async Task SendLoopAsync()
        {
            var reader = _output.Reader;
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    var remaining = segment;
                    while (!remaining.IsEmpty)
                    {
                        var sent = await _socket.SendAsync(remaining, SocketFlags.None).ConfigureAwait(false);
                        remaining = remaining[sent..];
                    }
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        private async Task ReceiveLoopAsync()
        {
            var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(pool: BlockPool.Shared, bufferSize: BlockPool.BlockSize, minimumReadSize: 4096));
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync().ConfigureAwait(false);
                    var buffer = result.Buffer;
                    while (TryReadFrame(ref buffer, out var id, out var payload, out var length))
                    {
                        if ((id & StreamFlag) != 0)
                        {
                            _streamSlot.OnMessage(payload, length);
                        }
                        else if ((uint)id < MaxWorkers && _slots[id] is { } slot)
                        {
                            slot.Complete(payload);
                        }
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }

        /// <summary>One worker's reusable call: its id is the worker's, as a worker has one call in flight.</summary>
        private sealed class Slot(Client client, int id, Payload payload) : UnaryCaller, IValueTaskSource<bool>
        {
            private ManualResetValueTaskSourceCore<bool> _core;

            public override ValueTask<bool> CallAsync()
            {
                _core.Reset();
                var version = _core.Version;
                client.Send(id, payload.NameUtf8);
                return new ValueTask<bool>(this, version);
            }

            public void Complete(in ReadOnlySequence<byte> reply) => _core.SetResult(ContentEquals(reply, payload.ExpectedUtf8));

            public bool GetResult(short token) => _core.GetResult(token);

            public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

            public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
                _core.OnCompleted(continuation, state, token, flags);
        }

        private sealed class StreamSlot : IValueTaskSource<long>
        {
            private ManualResetValueTaskSourceCore<long> _core = new() { RunContinuationsAsynchronously = true };
            private Payload? _payload;
            private long _received;

            public long Mismatches { get; private set; }

            public short Version => _core.Version;

            public void Begin(Payload payload)
            {
                _core.Reset();
                _payload = payload;
                _received = 0;
                Mismatches = 0;
            }

            public void OnMessage(in ReadOnlySequence<byte> message, int length)
            {
                if (length < 0)
                {
                    _core.SetResult(_received);
                    return;
                }
                if (ContentEquals(message, _payload!.ExpectedUtf8))
                {
                    _received++;
                }
                else
                {
                    Mismatches++;
                }
            }

            public long GetResult(short token) => _core.GetResult(token);

            public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

            public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
                _core.OnCompleted(continuation, state, token, flags);
        }
    }
}
