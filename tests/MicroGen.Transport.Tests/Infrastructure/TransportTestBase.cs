using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace MicroGen.Transport.Tests.Infrastructure;

/// <summary>Creates transports with captured logs and disposes everything a test opened.</summary>
public abstract class TransportTestBase
{
    private readonly List<IAsyncDisposable> _disposables = new();

    protected TestLoggerProvider Logs { get; private set; } = null!;

    protected ILoggerFactory LoggerFactory { get; private set; } = null!;

    [SetUp]
    public void SetUpLogs()
    {
        Logs = new TestLoggerProvider();
        LoggerFactory = new LoggerFactory([Logs]);
    }

    [TearDown]
    public async Task DisposeAllAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            foreach (var entry in Logs.Entries)
            {
                await TestContext.Out.WriteLineAsync($"{entry.Level} {entry.EventId.Name}: {entry.Message} {entry.Exception}");
            }
        }
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync().DefaultTimeout();
        }
        _disposables.Clear();
        LoggerFactory.Dispose();
    }

    protected T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    protected TcpTransport CreateTransport(Action<TcpTransportOptions>? configure = null)
    {
        var options = new TcpTransportOptions { LoggerFactory = LoggerFactory };
        configure?.Invoke(options);
        return Track(new TcpTransport(options));
    }

    protected async Task<ITransportListener> ListenAsync(ITransportHandler handler, string address = "127.0.0.1:0", Action<TcpTransportOptions>? configure = null)
    {
        var transport = CreateTransport(configure);
        return Track(await transport.ListenAsync(address, handler).DefaultTimeout());
    }

    protected async Task<ITransportConnection> DialAsync(string address, Action<TcpTransportOptions>? configure = null)
    {
        var transport = CreateTransport(configure);
        return Track(await transport.DialAsync(address).DefaultTimeout());
    }
}
