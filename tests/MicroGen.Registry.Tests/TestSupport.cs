using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using MicroGen.Registry;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace MicroGen.Registry.Tests;

/// <summary>Bounds on every wait in these tests: generous, because CI machines stall.</summary>
internal static class Timeouts
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait when asserting that something does NOT happen.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
}

/// <summary>A fresh folder under the temporary folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "microgen-registry-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(Path))
                {
                    Directory.Delete(Path, recursive: true);
                }
                return;
            }
            catch (IOException)
            {
                // A watcher or writer still closing: try again shortly.
                Thread.Sleep(50);
            }
        }
    }
}

/// <summary>A clock that only moves when told; timers still run on real time (unused by the code under test's expiry logic).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly object _gate = new();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }
}

internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message);

/// <summary>Captures every log entry written through the factory it is added to.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public IReadOnlyList<LogEntry> Warnings => _entries.Where(e => e.Level >= LogLevel.Warning).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    public static (ILoggerFactory Factory, CapturingLoggerProvider Provider) CreateFactory()
    {
        var provider = new CapturingLoggerProvider();
        var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
        return (factory, provider);
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception)));
    }
}

/// <summary>
/// Records a registry watch in the background. The watch is subscribed before the constructor
/// returns (its first MoveNextAsync is called synchronously), so later changes are all seen.
/// </summary>
internal sealed class EventRecorder : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<RegistryEvent> _events = Channel.CreateUnbounded<RegistryEvent>();
    private readonly Task _loop;

    public EventRecorder(IRegistry registry, string? service = null)
    {
        var enumerator = registry.WatchAsync(service, _cts.Token).GetAsyncEnumerator(_cts.Token);
        var first = enumerator.MoveNextAsync();
        _loop = RunAsync(enumerator, first);
    }

    /// <summary>The next event, failing the test when none arrives in time.</summary>
    public async Task<RegistryEvent> NextAsync()
    {
        try
        {
            return await _events.Reader.ReadAsync().AsTask().WaitAsync(Timeouts.Wait);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no registry event within {Timeouts.Wait}");
            throw;
        }
    }

    /// <summary>The next event matching <paramref name="match"/>, skipping others.</summary>
    public async Task<RegistryEvent> NextMatchingAsync(Func<RegistryEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Wait);
        try
        {
            while (true)
            {
                var evt = await _events.Reader.ReadAsync(timeout.Token);
                if (match(evt))
                {
                    return evt;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no matching registry event within {Timeouts.Wait}");
            throw;
        }
    }

    /// <summary>Events received so far and not yet read, after a short quiet period.</summary>
    public async Task<IReadOnlyList<RegistryEvent>> DrainAfterQuietAsync()
    {
        await Task.Delay(Timeouts.Quiet);
        var list = new List<RegistryEvent>();
        while (_events.Reader.TryRead(out var evt))
        {
            list.Add(evt);
        }
        return list;
    }

    /// <summary>Whether the watch enumeration has ended.</summary>
    public bool Ended => _loop.IsCompleted;

    public Task Completion => _loop;

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try
        {
            await _loop.WaitAsync(Timeouts.Wait);
        }
        catch (OperationCanceledException)
        {
        }
        _cts.Dispose();
    }

    private async Task RunAsync(IAsyncEnumerator<RegistryEvent> enumerator, ValueTask<bool> first)
    {
        try
        {
            var pending = first;
            while (await pending)
            {
                _events.Writer.TryWrite(enumerator.Current);
                pending = enumerator.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
        finally
        {
            await enumerator.DisposeAsync();
            _events.Writer.TryComplete();
        }
    }
}

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing the test after <see cref="Timeouts.Wait"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string because)
    {
        var deadline = DateTime.UtcNow + Timeouts.Wait;
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {because}");
            }
            await Task.Delay(20);
        }
    }
}

internal static class Services
{
    public static ServiceInfo Make(string name, string nodeId, string version = "1.0.0", string? address = null, IReadOnlyDictionary<string, string>? nodeMetadata = null) => new()
    {
        Name = name,
        Version = version,
        Nodes = new[] { new Node { Id = nodeId, Address = address ?? "127.0.0.1:1000", Metadata = nodeMetadata ?? new Dictionary<string, string>() } },
    };

    public static ServiceInfo Full(string name = "greeter", string nodeId = "greeter-1") => new()
    {
        Name = name,
        Version = "2.1.0",
        Metadata = new Dictionary<string, string> { ["team"] = "core", ["region"] = "eu \"west\" ✓" },
        Endpoints = new[]
        {
            new EndpointInfo
            {
                Name = "Greeter.SayHello",
                Request = "HelloRequest",
                Response = "HelloReply",
                Metadata = new Dictionary<string, string> { ["idempotent"] = "true" },
            },
            new EndpointInfo { Name = "Greeter.Watch", Request = "HelloRequest", Response = null, Metadata = new Dictionary<string, string> { ["stream"] = "server" } },
        },
        Nodes = new[]
        {
            new Node { Id = nodeId, Address = "127.0.0.1:52311", Metadata = new Dictionary<string, string> { ["transport"] = "tcp", ["protocol"] = "mucp" } },
        },
    };

    public static RegisterOptions Ttl(TimeSpan ttl) => new(ttl);
}
