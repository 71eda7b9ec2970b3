using System;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport.Internal;

/// <summary>A bound listening socket and the connections it accepted.</summary>
internal sealed class TcpTransportListener : ITransportListener
{
    private readonly Socket _socket;
    private readonly ITransportHandler _handler;
    private readonly TcpTransportOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, TcpServerConnection> _connections = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Action<TcpTransportListener> _onDisposed;
    private Task _acceptLoop = Task.CompletedTask;
    private volatile bool _draining;
    private int _disposed;

    public TcpTransportListener(Socket socket, ITransportHandler handler, TcpTransportOptions options, ILogger logger, Action<TcpTransportListener> onDisposed)
    {
        _socket = socket;
        _handler = handler;
        _options = options;
        _logger = logger;
        _onDisposed = onDisposed;
        Address = socket.LocalEndPoint!.ToString()!;
    }

    /// <inheritdoc/>
    public string Address { get; }

    /// <summary>The connections currently open.</summary>
    public int ConnectionCount => _connections.Count;

    public void Start() => _acceptLoop = AcceptLoopAsync();

    /// <inheritdoc/>
    public async ValueTask DrainAsync(CancellationToken cancellationToken = default)
    {
        _draining = true;
        StopAccepting();
        var connections = _connections.Values;
        TcpTransportLog.Draining(_logger, Address, connections.Count);
        foreach (var connection in connections)
        {
            await connection.GoAwayAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _draining = true;
        StopAccepting();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        _stopAccepting.Dispose();
        _onDisposed(this);
    }

    private void StopAccepting()
    {
        if (!_stopAccepting.IsCancellationRequested)
        {
            _stopAccepting.Cancel();
            _socket.Dispose();
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stopAccepting.Token;
        while (!token.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue; // the peer gave up before we accepted it; nothing to do
            }
            catch (Exception e)
            {
                TcpTransportLog.AcceptFailed(_logger, Address, e);
                // Keep serving the connections already open; back off so a persistent error
                // (out of descriptors) does not spin.
                try
                {
                    await Task.Delay(100, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }

            var connection = new TcpServerConnection(accepted, _handler, _options, _logger);
            _connections[connection.Id] = connection;
            connection.OnClosed = c => _connections.TryRemove(c.Id, out _);
            TcpTransportLog.ConnectionAccepted(_logger, connection.Id, connection.RemoteEndPoint);
            connection.Start();
            if (_draining)
            {
                // Accepted while DrainAsync ran: it may have missed this one.
                _ = connection.GoAwayAsync().AsTask();
            }
        }
    }
}
