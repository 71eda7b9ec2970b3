using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Tests.Protos;

namespace MicroGen.Tests.EndToEnd;

public sealed class StreamingHandler : IStreaming
{
    /// <summary>Completes when a handler's token fires, with the name of the method it was given to.</summary>
    public TaskCompletionSource<string> TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes when a watched handler has returned, with how: <c>Upload: cancelled</c> when its token
    /// had fired, <c>Upload: completed</c> when it ran to its end, <c>Upload: stopped</c> otherwise.
    /// </summary>
    public TaskCompletionSource<string> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a client-streaming or duplex handler has received its first item.</summary>
    public TaskCompletionSource FirstItemReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentDictionary<string, List<string>> Collected { get; } = new(StringComparer.Ordinal);

    private int _discarded;

    public int Discarded => Volatile.Read(ref _discarded);

    public async IAsyncEnumerable<Line> Count(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 50 == 0)
            {
                await Task.Yield();
            }
            yield return new Line(i, $"line {i}");
        }
    }

    public async IAsyncEnumerable<Line> Tail(string file, int from, int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        for (var i = from; i < from + count; i++)
        {
            yield return new Line(i, $"{file}:{i}");
        }
    }

    public async IAsyncEnumerable<int> Forever([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = Watch(cancellationToken, nameof(Forever));
        try
        {
            for (var i = 0; ; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return i;
                await Task.Delay(1, cancellationToken);
            }
        }
        finally
        {
            End(nameof(Forever), completed: false, cancellationToken);
        }
    }

    public async IAsyncEnumerable<Line> FailAfter(int count, bool crash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new Line(i, "before the failure");
        }
        if (crash)
        {
            throw new InvalidOperationException("password=hunter2 must never leave the server");
        }
        throw new MicroException("streaming.fail", 422, $"failed after {count} items");
    }

    public async IAsyncEnumerable<Line> GiveUpAfter(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new Line(i, "before giving up");
        }
        GiveUp(cancellationToken);
    }

    public async IAsyncEnumerable<string> Headers(string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var context = MicroContext.Current ?? throw new InvalidOperationException("no MicroContext in the handler");
        var value = context.Metadata.Get(key) ?? "<missing>";
        context.ResponseMetadata["echo-" + key] = value;
        for (var i = 0; i < 3; i++)
        {
            await Task.Yield();
            // Read again on each step: the context stays current across the iterator's awaits.
            yield return MicroContext.Current?.Metadata.Get(key) ?? "<missing>";
        }
    }

    public async Task<UploadSummary> Upload(string name, IAsyncEnumerable<Chunk> chunks, CancellationToken cancellationToken = default)
    {
        using var registration = Watch(cancellationToken, nameof(Upload));
        var completed = false;
        try
        {
            var count = 0;
            long bytes = 0;
            await foreach (var chunk in chunks.WithCancellation(cancellationToken))
            {
                FirstItemReceived.TrySetResult();
                if (chunk.Index != count)
                {
                    throw new MicroException("streaming.upload", 400, $"chunk {chunk.Index} arrived at position {count}");
                }
                count++;
                bytes += chunk.Data.Length;
                if (name == "reject" && count == 3)
                {
                    throw new MicroException("streaming.upload", 413, "three chunks are enough");
                }
                if (name == "cancel" && count == 3)
                {
                    GiveUp(cancellationToken);
                }
            }
            completed = true;
            return new UploadSummary(name, count, bytes);
        }
        finally
        {
            End(nameof(Upload), completed, cancellationToken);
        }
    }

    public async ValueTask<long> Sum(IAsyncEnumerable<int> numbers, CancellationToken cancellationToken = default)
    {
        long sum = 0;
        await foreach (var number in numbers.WithCancellation(cancellationToken))
        {
            sum += number;
        }
        return sum;
    }

    public async Task Collect(string key, IAsyncEnumerable<string> words, CancellationToken cancellationToken = default)
    {
        var list = new List<string>();
        await foreach (var word in words.WithCancellation(cancellationToken))
        {
            list.Add(word);
        }
        Collected[key] = list;
    }

    public async ValueTask Discard(IAsyncEnumerable<int> numbers)
    {
        await foreach (var _ in numbers)
        {
            Interlocked.Increment(ref _discarded);
        }
    }

    public async IAsyncEnumerable<Line> Echo(string prefix, IAsyncEnumerable<Line> lines, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = Watch(cancellationToken, nameof(Echo));
        var completed = false;
        try
        {
            await foreach (var line in lines.WithCancellation(cancellationToken))
            {
                FirstItemReceived.TrySetResult();
                if (line.Text == "boom")
                {
                    throw new MicroException("streaming.echo", 409, $"line {line.Number} went boom");
                }
                if (line.Text == "cancel")
                {
                    GiveUp(cancellationToken);
                }
                yield return line with { Text = prefix + line.Text };
            }
            completed = true;
        }
        finally
        {
            End(nameof(Echo), completed, cancellationToken);
        }
    }

    public async IAsyncEnumerable<long> Running(IAsyncEnumerable<int> numbers, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long sum = 0;
        await foreach (var number in numbers.WithCancellation(cancellationToken))
        {
            sum += number;
            yield return sum;
        }
    }

    /// <summary>
    /// Cancels the call from the handler's side, as a handler with a budget of its own would: a
    /// source linked to the call's token fires, but the call's token itself does not.
    /// </summary>
    private static void GiveUp(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.Cancel();
        budget.Token.ThrowIfCancellationRequested();
    }

    private CancellationTokenRegistration Watch(CancellationToken cancellationToken, string method) =>
        cancellationToken.Register(() => TokenFired.TrySetResult(method));

    private void End(string method, bool completed, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // The token fired, though its callbacks may still be running on the cancelling thread:
            // this handler's registration runs last (the oldest) and is removed when the handler
            // returns first, so the callback alone would make the tests racy.
            TokenFired.TrySetResult(method);
        }
        Ended.TrySetResult($"{method}: {(completed ? "completed" : cancellationToken.IsCancellationRequested ? "cancelled" : "stopped")}");
    }
}

public sealed class TickerHandler : ITicker
{
    public async IAsyncEnumerable<Tick> Ticks(PingRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await Task.Yield();
            yield return new Tick { Sequence = i, Label = request.Name };
        }
    }

    public async Task<PingReply> Gather(IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default)
    {
        var reply = new PingReply();
        await foreach (var tick in ticks.WithCancellation(cancellationToken))
        {
            reply.Numbers.Add(tick.Sequence);
            reply.Message = tick.Label;
        }
        return reply;
    }

    public async IAsyncEnumerable<Tick> Relay(IAsyncEnumerable<Tick> ticks, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var tick in ticks.WithCancellation(cancellationToken))
        {
            yield return new Tick { Sequence = tick.Sequence * 2, Label = tick.Label };
        }
    }
}
