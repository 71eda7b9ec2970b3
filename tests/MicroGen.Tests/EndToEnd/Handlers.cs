using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Tests.Protos;

namespace MicroGen.Tests.EndToEnd;

public sealed class ShapesHandler : IShapes
{
    private long _count;

    public string? LastTouched { get; private set; }

    public Task<string> Audit(string message, CancellationToken cancellationToken = default) => Task.FromResult("audited: " + message);

    public Task<string> Echo(string text, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _count);
        return Task.FromResult(text);
    }

    public Task<int> Add(int a, int b, CancellationToken cancellationToken = default) => Task.FromResult(a + b);

    public ValueTask<long> Count(CancellationToken cancellationToken = default) => new(Interlocked.Read(ref _count));

    public Task Touch(string key, CancellationToken cancellationToken = default)
    {
        LastTouched = key;
        return Task.CompletedTask;
    }

    public ValueTask Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        return ValueTask.CompletedTask;
    }

    public Task<Order> Place(Order order, Item extra, CancellationToken cancellationToken = default)
    {
        order.Items.Add(extra);
        order.Tags["placed"] = "yes";
        return Task.FromResult(order);
    }

    public Task<Page<Item>> List(int skip, int take, CancellationToken cancellationToken = default)
    {
        var items = Enumerable.Range(skip, take).Select(i => new Item($"item-{i}", i * 1.5m, (Priority)(i % 3))).ToList();
        return Task.FromResult(new Page<Item>(items, 1000));
    }

    public Task<string> Keywords(string @class, int @event, CancellationToken cancellationToken = default) =>
        Task.FromResult($"{@class}:{@event}");

    public Task<string> OriginalName(CancellationToken cancellationToken = default) => Task.FromResult("renamed");

    public Task<int?> Maybe(int? value, CancellationToken cancellationToken = default) => Task.FromResult(value * 2);

    public Task<Item[]> Sort(Item[] items, CancellationToken cancellationToken = default) =>
        Task.FromResult(items.OrderBy(i => i.Name, StringComparer.Ordinal).ToArray());
}

public sealed class BehaviourHandler : IBehaviour
{
    public TaskCompletionSource SleepStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> SleepEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<string> Fail(int code, string detail, CancellationToken cancellationToken = default) =>
        throw new MicroException("behaviour.fail", code, detail);

    public Task<string> Crash(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("password=hunter2 must never leave the server");

    public async Task<string> GiveUp(CancellationToken cancellationToken = default)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.Cancel();
        await Task.Delay(Timeout.Infinite, budget.Token);
        return "never";
    }

    public async Task<bool> Sleep(int milliseconds, CancellationToken cancellationToken = default)
    {
        SleepStarted.TrySetResult();
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
            SleepEnded.TrySetResult("completed");
            return true;
        }
        catch (OperationCanceledException)
        {
            SleepEnded.TrySetResult("cancelled");
            throw;
        }
    }

    public Task<string> Headers(string key, CancellationToken cancellationToken = default)
    {
        var context = MicroContext.Current ?? throw new InvalidOperationException("no MicroContext in the handler");
        context.ResponseMetadata["echo-" + key] = context.Metadata.Get(key) ?? "<missing>";
        return Task.FromResult(context.Metadata.Get(key) ?? "<missing>");
    }
}

public sealed class PingerHandler : IPinger
{
    public Task<PingReply> Ping(PingRequest request, CancellationToken cancellationToken = default)
    {
        var reply = new PingReply { Message = "pong " + request.Name };
        reply.Numbers.AddRange(Enumerable.Range(0, request.Count));
        return Task.FromResult(reply);
    }
}
