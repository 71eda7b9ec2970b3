using System;
using System.Buffers;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using MicroGen.Internal;

namespace MicroGen.Transport;

/// <summary>
/// One end of an in-memory streaming call: two bounded channels, one per direction, whose
/// capacity is the flow-control window (a writer waits while the reader lags).
/// </summary>
internal sealed class InMemoryStream : ITransportStream
{
    /// <summary>Messages a direction holds before its writer waits.</summary>
    public const int Window = 64;

    private readonly Channel<Item> _incoming;
    private readonly Channel<Item> _outgoing;
    private readonly CancellationTokenSource? _cancelPeer;
    private PooledBufferWriter? _current;
    private int _completedWrites;
    private bool _peerCompleted;

    private InMemoryStream(Channel<Item> incoming, Channel<Item> outgoing, string contentType, CancellationTokenSource? cancelPeer)
    {
        _incoming = incoming;
        _outgoing = outgoing;
        ContentType = contentType;
        _cancelPeer = cancelPeer;
    }

    public string ContentType { get; }

    public ReadOnlySequence<byte> Current => _current is null ? default : _current.WrittenSequence;

    public Metadata? ResponseMetadata { get; private set; }

    /// <summary>Creates the two ends of a call. Disposing the client end before the server completes cancels <paramref name="serverCall"/>.</summary>
    public static (InMemoryStream Client, InMemoryStream Server) CreatePair(string contentType, CancellationTokenSource serverCall)
    {
        var toServer = Channel.CreateBounded<Item>(new BoundedChannelOptions(Window) { SingleReader = true, SingleWriter = true });
        var toClient = Channel.CreateBounded<Item>(new BoundedChannelOptions(Window) { SingleReader = true, SingleWriter = true });
        return (new InMemoryStream(toClient, toServer, contentType, serverCall), new InMemoryStream(toServer, toClient, contentType, null));
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _completedWrites) != 0)
        {
            throw new InvalidOperationException("The stream's writes were already completed.");
        }
        var copy = PooledBufferWriter.CopyOf(new ReadOnlySequence<byte>(message));
        try
        {
            await _outgoing.Writer.WriteAsync(new Item(copy, null, null, false), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            copy.Dispose();
            throw new TransportException("the peer closed the stream", notProcessed: false, e);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    public async ValueTask CompleteAsync(MicroError? error = null, Metadata? metadata = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _completedWrites, 1) != 0)
        {
            return;
        }
        try
        {
            await _outgoing.Writer.WriteAsync(new Item(null, error, metadata?.Clone(), true), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The peer is gone: nobody is left to tell.
        }
        _outgoing.Writer.TryComplete();
    }

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        _current?.Dispose();
        _current = null;
        if (_peerCompleted)
        {
            return false;
        }
        Item item;
        try
        {
            item = await _incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new TransportException("the stream closed before the peer completed it", notProcessed: false, e);
        }
        if (!item.End)
        {
            _current = item.Data;
            return true;
        }
        _peerCompleted = true;
        ResponseMetadata = item.Metadata;
        if (item.Error is { } error)
        {
            throw new MicroException(error);
        }
        return false;
    }

    public ValueTask DisposeAsync()
    {
        _current?.Dispose();
        _current = null;
        if (!_peerCompleted && _cancelPeer is not null)
        {
            // The client left before the server finished: cancel the call on the server.
            try
            {
                _cancelPeer.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        _outgoing.Writer.TryComplete();
        _incoming.Writer.TryComplete();
        while (_incoming.Reader.TryRead(out var left))
        {
            left.Data?.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private readonly record struct Item(PooledBufferWriter? Data, MicroError? Error, Metadata? Metadata, bool End);
}
