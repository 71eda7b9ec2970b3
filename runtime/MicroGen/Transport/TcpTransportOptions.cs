using System;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace MicroGen.Transport;

/// <summary>
/// Options of <see cref="TcpTransport"/>. The wire format they tune is described in
/// <c>docs/PROTOCOL.md</c>.
/// </summary>
public sealed class TcpTransportOptions
{
    /// <summary>The default listen address: a free port on the IPv4 loopback.</summary>
    public const string DefaultAddress = "127.0.0.1:0";

    /// <summary>The default maximum frame payload: 4 MiB, as gRPC's default maximum message size.</summary>
    public const int DefaultMaxFrameSize = 4 * 1024 * 1024;

    /// <summary>The smallest allowed <see cref="MaxFrameSize"/> (1 KiB).</summary>
    public const int MinMaxFrameSize = 1024;

    /// <summary>The largest allowed <see cref="MaxFrameSize"/> (1 GiB).</summary>
    public const int MaxMaxFrameSize = 1024 * 1024 * 1024;

    /// <summary>The default keep-alive ping interval: 30 seconds.</summary>
    public static readonly TimeSpan DefaultPingInterval = TimeSpan.FromSeconds(30);

    /// <summary>The default number of unanswered pings tolerated: 2.</summary>
    public const int DefaultMaxPingOut = 2;

    /// <summary>The default handshake timeout: 10 seconds.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default writer pause threshold: 1 MiB buffered and not yet sent.</summary>
    public const int DefaultWriterPauseThreshold = 1024 * 1024;

    /// <summary>The default writer resume threshold: 512 KiB.</summary>
    public const int DefaultWriterResumeThreshold = 512 * 1024;

    /// <summary>The default limit of concurrent calls a listener runs per connection: 10,000.</summary>
    public const int DefaultMaxConcurrentCalls = 10_000;

    /// <summary>Creates options holding the defaults.</summary>
    public TcpTransportOptions()
    {
        Address = DefaultAddress;
        MaxFrameSize = DefaultMaxFrameSize;
        PingInterval = DefaultPingInterval;
        MaxPingOut = DefaultMaxPingOut;
        HandshakeTimeout = DefaultHandshakeTimeout;
        WriterPauseThreshold = DefaultWriterPauseThreshold;
        WriterResumeThreshold = DefaultWriterResumeThreshold;
        MaxConcurrentCalls = DefaultMaxConcurrentCalls;
        NoDelay = true;
    }

    /// <summary>
    /// The address <see cref="TcpTransport.ListenAsync"/> binds when it is given an empty one:
    /// <c>host:port</c>, <c>[ipv6]:port</c>, or <c>:port</c> for every IPv4 interface.
    /// Defaults to <c>127.0.0.1:0</c> (<see cref="DefaultAddress"/>).
    /// </summary>
    public string Address { get; set; }

    /// <summary>
    /// The largest frame payload this side accepts, in bytes, advertised to the peer in the preamble.
    /// A longer frame closes the connection before its payload is buffered; a call whose own request
    /// or response would exceed the peer's limit fails with code 413 instead.
    /// Between 1 KiB and 1 GiB. Defaults to 4,194,304 (4 MiB, <see cref="DefaultMaxFrameSize"/>).
    /// </summary>
    public int MaxFrameSize { get; set; }

    /// <summary>
    /// How often each side pings the other. <see cref="Timeout.InfiniteTimeSpan"/> or
    /// <see cref="TimeSpan.Zero"/> turns keep-alive off. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan PingInterval { get; set; }

    /// <summary>
    /// How many pings may go unanswered: the connection is closed instead of sending one more.
    /// With the defaults, a silent peer is detected within 90 seconds. Defaults to 2.
    /// </summary>
    public int MaxPingOut { get; set; }

    /// <summary>
    /// How long a new connection may take to deliver its preamble; a dial's TCP connect gets as long.
    /// Either side closes a connection whose peer sends no preamble within it. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; }

    /// <summary>
    /// Bytes queued for sending on one connection at which writers wait for the socket to catch up
    /// (back-pressure). Defaults to 1 MiB.
    /// </summary>
    public int WriterPauseThreshold { get; set; }

    /// <summary>
    /// Bytes queued at which waiting writers resume; smaller than <see cref="WriterPauseThreshold"/>.
    /// Defaults to 512 KiB.
    /// </summary>
    public int WriterResumeThreshold { get; set; }

    /// <summary>
    /// How many calls a listener runs at once on one connection; more are refused as not processed
    /// (code 503) so the caller can retry elsewhere. Defaults to 10,000.
    /// </summary>
    public int MaxConcurrentCalls { get; set; }

    /// <summary>Whether to disable Nagle's algorithm on every socket. Defaults to true.</summary>
    public bool NoDelay { get; set; }

    /// <summary>Where the transport logs; no logging when null. Defaults to null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal TcpTransportOptions Validated()
    {
        if (MaxFrameSize is < MinMaxFrameSize or > MaxMaxFrameSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameSize), MaxFrameSize, $"MaxFrameSize must be between {MinMaxFrameSize} and {MaxMaxFrameSize}.");
        }
        if (MaxPingOut < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPingOut), MaxPingOut, "MaxPingOut must not be negative.");
        }
        if (HandshakeTimeout <= TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "HandshakeTimeout must be positive or infinite.");
        }
        if (PingInterval < TimeSpan.Zero && PingInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(PingInterval), PingInterval, "PingInterval must not be negative.");
        }
        if (WriterPauseThreshold <= 0 || WriterResumeThreshold <= 0 || WriterResumeThreshold > WriterPauseThreshold)
        {
            throw new ArgumentOutOfRangeException(nameof(WriterResumeThreshold), "Writer thresholds must be positive and WriterResumeThreshold must not exceed WriterPauseThreshold.");
        }
        if (MaxConcurrentCalls <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentCalls), MaxConcurrentCalls, "MaxConcurrentCalls must be positive.");
        }
        return new TcpTransportOptions
        {
            Address = string.IsNullOrWhiteSpace(Address) ? DefaultAddress : Address,
            MaxFrameSize = MaxFrameSize,
            PingInterval = PingInterval,
            MaxPingOut = MaxPingOut,
            HandshakeTimeout = HandshakeTimeout,
            WriterPauseThreshold = WriterPauseThreshold,
            WriterResumeThreshold = WriterResumeThreshold,
            MaxConcurrentCalls = MaxConcurrentCalls,
            NoDelay = NoDelay,
            LoggerFactory = LoggerFactory,
        };
    }
}
