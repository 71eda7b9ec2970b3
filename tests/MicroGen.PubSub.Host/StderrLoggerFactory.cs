using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.PubSub.Host;

/// <summary>
/// Writes warnings and errors to standard error, one line each, so that a test can find what this
/// process logged:  <c>LOG &lt;level&gt; &lt;event name&gt; &lt;message&gt; | &lt;exception type&gt;</c> (tab-separated).
/// </summary>
internal sealed class StderrLoggerFactory : ILoggerFactory
{
    private static readonly object s_gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var line = string.Join('\t', "LOG", logLevel, eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                formatter(state, exception).ReplaceLineEndings(" "), exception?.GetType().Name ?? "");
            lock (s_gate)
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
