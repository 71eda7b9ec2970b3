using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport.Tests.Infrastructure;

/// <summary>One captured log entry.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>A logger provider that keeps every entry, for asserting on logged reasons.</summary>
public sealed class TestLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    /// <summary>Waits until an entry with <paramref name="eventName"/> matching <paramref name="predicate"/> was logged.</summary>
    public async Task<LogEntry> WaitForAsync(string eventName, Func<LogEntry, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Default);
        while (true)
        {
            var match = _entries.FirstOrDefault(e => e.EventId.Name == eventName && (predicate is null || predicate(e)));
            if (match is not null)
            {
                return match;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no '{eventName}' log entry; logged: {string.Join(" | ", _entries.Select(e => $"{e.EventId.Name}: {e.Message}"))}");
            }
            await Task.Delay(10);
        }
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}

public static class TestTimeouts
{
    /// <summary>Every await in these tests is bounded by this.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    public static Task DefaultTimeout(this Task task) => task.WaitAsync(Default);

    public static Task<T> DefaultTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task DefaultTimeout(this ValueTask task) => task.AsTask().WaitAsync(Default);

    public static Task<T> DefaultTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Default);
}
