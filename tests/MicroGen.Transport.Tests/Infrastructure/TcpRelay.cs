using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Transport.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay between a dialler and a listener whose connections a test can kill with a
/// reset, as a crashed peer or a dropped network would: neither side gets a GOAWAY or a clean close.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly Socket _listen;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Socket> _sockets = new();
    private readonly Task _accepting;
    private int _accepted;

    private TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listen = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listen.Listen(16);
        Address = ((IPEndPoint)_listen.LocalEndPoint!).ToString();
        _accepting = AcceptAsync();
    }

    /// <summary>Where to dial instead of the listener.</summary>
    public string Address { get; }

    /// <summary>How many connections the relay has accepted: one per dialled transport connection.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Relays connections made to <see cref="Address"/> to <paramref name="target"/>.</summary>
    public static TcpRelay Start(string target) => new(IPEndPoint.Parse(target));

    /// <summary>Resets every connection relayed so far, on both sides, at once.</summary>
    public void KillAll()
    {
        while (_sockets.TryDequeue(out var socket))
        {
            try
            {
                // Linger 0: close sends RST, not FIN, so the peers see a dead connection, not an ending one.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listen.Dispose();
        KillAll();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var dialler = await _listen.AcceptAsync(_stop.Token);
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            dialler.NoDelay = true;
            await listener.ConnectAsync(_target, _stop.Token);
            _sockets.Enqueue(dialler);
            _sockets.Enqueue(listener);
            Interlocked.Increment(ref _accepted);
            _ = PumpAsync(dialler, listener);
            _ = PumpAsync(listener, dialler);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Killed, or the other direction was: the sockets are gone either way.
        }
    }
}
