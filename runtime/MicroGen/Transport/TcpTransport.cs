using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Internal;
using MicroGen.Transport.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicroGen.Transport;

/// <summary>
/// The default transport: the MicroGen wire protocol (<c>docs/PROTOCOL.md</c>) over TCP, built on
/// System.IO.Pipelines. One connection carries many concurrent calls, each on its own stream id.
/// </summary>
/// <remarks>
/// Addresses are <c>host:port</c> or <c>[ipv6]:port</c>; port 0 binds a free port and
/// <see cref="ITransportListener.Address"/> reports the one bound. A malformed frame, an invalid
/// preamble or a silent peer closes that connection only, with a logged reason.
/// </remarks>
public sealed class TcpTransport : ITransport
{
    private readonly ILogger _logger;
    // Sets keyed by themselves: a reference-type value keeps ConcurrentDictionary on the framework's
    // precompiled shared code (a byte value made a new process JIT its methods).
    private readonly ConcurrentDictionary<TcpTransportListener, TcpTransportListener> _listeners = new();
    private readonly ConcurrentDictionary<TcpClientConnection, TcpClientConnection> _connections = new();
    private int _disposed;

    /// <summary>Creates a TCP transport.</summary>
    /// <param name="options">The options; the defaults when null. They are copied: later changes have no effect.</param>
    public TcpTransport(TcpTransportOptions? options = null)
    {
        Options = (options ?? new TcpTransportOptions()).Validated();
        _logger = Options.LoggerFactory?.CreateLogger<TcpTransport>() ?? NullLogger<TcpTransport>.Instance;
    }

    /// <summary>The options in effect (a copy of those given).</summary>
    public TcpTransportOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "tcp";

    /// <inheritdoc/>
    /// <remarks>An empty <paramref name="address"/> binds <see cref="TcpTransportOptions.Address"/>.</remarks>
    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(address))
        {
            address = Options.Address;
        }
        var endPoint = ParseEndPoint(address, forListening: true) as IPEndPoint
            ?? throw new ArgumentException($"'{address}' is not a listen address: use an IP address and port, for example 127.0.0.1:0 or [::1]:0.", nameof(address));

        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TransportException($"cannot listen on {address}: {e.Message}", notProcessed: true, e);
        }

        var listener = new TcpTransportListener(socket, handler, Options, _logger, l => _listeners.TryRemove(l, out _));
        _listeners[listener] = listener;
        listener.Start();
        TcpTransportLog.Listening(_logger, listener.Address);
        return new ValueTask<ITransportListener>(listener);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Completes once the TCP connection is open (within <see cref="TcpTransportOptions.HandshakeTimeout"/>)
    /// and our preamble is on its way; it does not wait for the listener's, so the first call goes out
    /// without an extra round trip (docs/PROTOCOL.md §1). Until that preamble arrives, a call whose
    /// frame is larger than the protocol's minimum max frame size (1,024 bytes) waits for it, and a
    /// listener that turns out not to speak the protocol fails the calls already sent. Every failure
    /// of the dial itself is a <see cref="TransportException"/> with
    /// <see cref="TransportException.NotProcessed"/> set.
    /// </remarks>
    public ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default) =>
        new(DialCoreAsync(address, cancellationToken));

    [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder<>))]
    private async Task<ITransportConnection> DialCoreAsync(string address, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        EndPoint endPoint;
        try
        {
            endPoint = ParseEndPoint(address, forListening: false);
        }
        catch (ArgumentException e)
        {
            throw new TransportException($"cannot dial '{address}': {e.Message}", notProcessed: true, e);
        }

        // The timeout is armed once the connect is out: a process's first timer (the timer queue and
        // its thread) is then set up while the connect is in flight, not before it.
        using var timeout = Options.HandshakeTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource();
        using var linked = cancellationToken.CanBeCanceled && timeout is not null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token)
            : null;
        var connectToken = linked?.Token ?? timeout?.Token ?? cancellationToken;
        var socket = endPoint is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        TcpClientConnection? unstarted = null, connection = null;
        try
        {
            var connect = socket.ConnectAsync(endPoint, connectToken);
            timeout?.CancelAfter(Options.HandshakeTimeout);
            if (endPoint is IPEndPoint && !connect.IsCompleted)
            {
                // Built while the connect is in flight (pipes, preamble), off the path to a first reply.
                // Named by the address as given, an IP literal: formatting the parsed one costs a first
                // call three methods for the JIT.
                unstarted = new TcpClientConnection(socket, address, Options, _logger, address);
                unstarted.QueuePreamble();
            }
            await connect.NoContext();
            // A name is known by its resolved address only once connected.
            connection = unstarted ?? new TcpClientConnection(socket, address, Options, _logger);
            // Not waiting for the listener's preamble: the read loop times it out on its own (§1).
            connection.Start();
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().NoContext();
            }
            else
            {
                unstarted?.ReleaseUnstarted();
            }
            socket.Dispose();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            var reason = e is OperationCanceledException ? $"not connected within {Options.HandshakeTimeout}" : e.Message;
            TcpTransportLog.DialFailed(_logger, address, reason);
            throw e as TransportException ?? new TransportException($"cannot connect to {address}: {reason}", notProcessed: true, e);
        }

        _connections[connection] = connection;
        connection.OnClosed = c => _connections.TryRemove((TcpClientConnection)c, out _);
        if (connection.IsClosing)
        {
            _connections.TryRemove(connection, out _);
        }
        TcpTransportLog.ConnectionEstablished(_logger, connection.Id, connection.RemoteEndPoint);
        return connection;
    }

    /// <summary>Closes every listener and every connection this transport opened.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var listener in _listeners.Keys)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var connection in _connections.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Parses <c>host:port</c>, <c>[ipv6]:port</c> or <c>:port</c> (every IPv4 interface, as Go's
    /// <c>net.Listen</c>). A host name becomes a <see cref="DnsEndPoint"/> for dialling; for
    /// listening only <c>localhost</c> is accepted, as the IPv4 loopback.
    /// </summary>
    internal static EndPoint ParseEndPoint(string address, bool forListening)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (TryParseIPv4EndPoint(address, out var v4))
        {
            return v4;
        }
        if (IPEndPoint.TryParse(address, out var ip) && (address.Contains(':', StringComparison.Ordinal)))
        {
            // IPEndPoint.TryParse accepts a bare IPv6 address as "address without port": require the brackets.
            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && !address.StartsWith('['))
            {
                throw new ArgumentException($"'{address}' is ambiguous: write an IPv6 address in brackets, for example [::1]:0.", nameof(address));
            }
            return ip;
        }
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"'{address}' is not host:port.", nameof(address));
        }
        var host = address[..colon];
        if (host.Length == 0)
        {
            return new IPEndPoint(IPAddress.Any, port);
        }
        if (forListening)
        {
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return new IPEndPoint(IPAddress.Loopback, port);
            }
            throw new ArgumentException($"'{address}' names a host; listen on an IP address.", nameof(address));
        }
        return new DnsEndPoint(host, port);
    }

    /// <summary>
    /// Reads the usual dial address, a dotted IPv4 address and a port ("127.0.0.1:8080"). Not
    /// through <see cref="IPEndPoint.TryParse(string, out IPEndPoint)"/>: its parser is generic over
    /// the character type and not precompiled, so a first call paid the JIT for three methods of it
    /// (one fully optimized). Anything else (octets with leading zeros, which IPAddress reads as
    /// octal, IPv6, host names) returns false for the general parser.
    /// </summary>
    internal static bool TryParseIPv4EndPoint(string address, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        Span<byte> octets = stackalloc byte[4];
        var i = 0;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (i >= address.Length || address[i] != '.')
                {
                    return false;
                }
                i++;
            }
            var start = i;
            var value = 0;
            while (i < address.Length && i - start < 3 && char.IsAsciiDigit(address[i]))
            {
                value = (value * 10) + (address[i] - '0');
                i++;
            }
            if (i == start || value > 255 || (i - start > 1 && address[start] == '0'))
            {
                return false;
            }
            octets[octet] = (byte)value;
        }
        if (i >= address.Length || address[i] != ':')
        {
            return false;
        }
        var digits = address.AsSpan(i + 1);
        if (digits.Length is 0 or > 5)
        {
            return false;
        }
        var port = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            port = (port * 10) + (c - '0');
        }
        if (port > IPEndPoint.MaxPort)
        {
            return false;
        }
        endPoint = new IPEndPoint(new IPAddress(octets), port);
        return true;
    }
}
