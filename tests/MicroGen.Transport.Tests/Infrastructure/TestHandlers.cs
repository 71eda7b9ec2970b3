using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport.Tests.Infrastructure;

/// <summary>Builds requests and reads responses for the tests.</summary>
public static class Calls
{
    public static TransportRequest Request(string body, string endpoint = "Echo.Say", Metadata? metadata = null, string? id = null, TimeSpan? timeout = null) => new()
    {
        Service = "echo",
        Endpoint = endpoint,
        ContentType = "text/plain",
        Id = id,
        Timeout = timeout,
        Metadata = metadata,
        Body = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)),
    };

    public static string Text(this TransportResponse response) => Encoding.UTF8.GetString(response.Body);

    public static string Text(this TransportRequest request) => Encoding.UTF8.GetString(request.Body);
}

/// <summary>Answers with a copy of the request body, in its content type, echoing its metadata.</summary>
public sealed class EchoHandler : ITransportHandler
{
    public ConcurrentQueue<TransportRequest> Seen { get; } = new();

    public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        Seen.Enqueue(new TransportRequest
        {
            Service = request.Service,
            Endpoint = request.Endpoint,
            ContentType = request.ContentType,
            Id = request.Id,
            Timeout = request.Timeout,
            Metadata = request.Metadata,
            Body = new ReadOnlySequence<byte>(request.Body.ToArray()),
        });
        // The request body is valid only until the task completes: copy it into the response.
        var copy = request.Body.ToArray();
        return new ValueTask<TransportResponse>(new TransportResponse(request.ContentType, new ReadOnlySequence<byte>(copy), null, request.Metadata?.Clone()));
    }
}

/// <summary>Waits until released or cancelled, recording whether its token fired.</summary>
public sealed class SlowHandler : ITransportHandler
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;

    public Task Started => _started.Task;

    public Task Cancelled => _cancelled.Task;

    public int Running => Volatile.Read(ref _running);

    public void Release() => _release.TrySetResult();

    public async ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken)
    {
        var body = request.Body.ToArray();
        Interlocked.Increment(ref _running);
        _started.TrySetResult();
        try
        {
            await _release.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
        return new TransportResponse(request.ContentType, new ReadOnlySequence<byte>(body));
    }
}

/// <summary>Throws from the handler.</summary>
public sealed class ThrowingHandler : ITransportHandler
{
    public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("secret internals");
}

/// <summary>Cancels the call itself: throws <see cref="OperationCanceledException"/> that the call's token did not cause.</summary>
public sealed class GivingUpHandler : ITransportHandler
{
    public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
        throw new OperationCanceledException("secret budget exhausted");
}

/// <summary>Answers every call with a go-micro error and response metadata.</summary>
public sealed class ErrorHandler(MicroError error) : ITransportHandler
{
    public ValueTask<TransportResponse> HandleAsync(TransportRequest request, CancellationToken cancellationToken) =>
        new(new TransportResponse(error, new Metadata().Set("Retry-After", "5")));
}
