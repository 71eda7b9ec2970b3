using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport.Tests.Infrastructure;

/// <summary>Runs a delegate for each streaming call; answers unary calls with their body.</summary>
public sealed class StreamHandler(Func<TransportRequest, ITransportStream, CancellationToken, ValueTask> handle) : ITransportHandler
{
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;

    /// <summary>Completes when a handler saw its token fire.</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>Completes when a handler returned or threw.</summary>
    public Task Finished => _finished.Task;

    public int Running => Volatile.Read(ref _running);

    public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
        new(new TransportResponse(request.ContentType, new ReadOnlySequence<byte>(request.Body.ToArray())));

    public async ValueTask HandleStreamAsync(TransportRequest request, ITransportStream stream, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        using var registration = cancellationToken.Register(() => _cancelled.TrySetResult());
        try
        {
            await handle(request, stream, cancellationToken);
        }
        finally
        {
            // The handler may end inside the cancellation, before this registration's callback ran.
            if (cancellationToken.IsCancellationRequested)
            {
                _cancelled.TrySetResult();
            }
            Interlocked.Decrement(ref _running);
            _finished.TrySetResult();
        }
    }
}

/// <summary>Helpers to open, write and read streams in tests.</summary>
public static class Streams
{
    public static TransportRequest Request(string body = "", string endpoint = "Echo.Stream", Metadata? metadata = null) => new()
    {
        Service = "echo",
        Endpoint = endpoint,
        ContentType = "text/plain",
        Metadata = metadata,
        Body = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)),
    };

    public static ValueTask WriteAsync(this ITransportStream stream, string text, CancellationToken cancellationToken = default) =>
        stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public static string CurrentText(this ITransportStream stream) => Encoding.UTF8.GetString(stream.Current);

    /// <summary>Reads every message until the peer completes, as text.</summary>
    public static async Task<List<string>> ReadAllAsync(this ITransportStream stream, CancellationToken cancellationToken = default)
    {
        var items = new List<string>();
        while (await stream.MoveNextAsync(cancellationToken))
        {
            items.Add(stream.CurrentText());
        }
        return items;
    }

    /// <summary>Reads messages into <paramref name="items"/> until the peer completes or the read throws.</summary>
    public static async Task ReadIntoAsync(this ITransportStream stream, List<string> items, CancellationToken cancellationToken = default)
    {
        while (await stream.MoveNextAsync(cancellationToken))
        {
            items.Add(stream.CurrentText());
        }
    }
}
