using System;
using MicroGen.Registry;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;

namespace MicroGen.Broker;

/// <summary>Options of an <see cref="EmbeddedBroker"/>.</summary>
public sealed class EmbeddedBrokerOptions
{
    /// <summary>The default time a delivery may take to be acknowledged: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDeliveryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default number of attempts per target for transport failures: 3.</summary>
    public const int DefaultMaxDeliveryAttempts = 3;

    /// <summary>The default wait before the second attempt: 50 ms, doubled for each next one.</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>The default cap on the wait between attempts: 1 second.</summary>
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default time a subscriber lookup is served from the cache without a registry change: 10 seconds.</summary>
    public static readonly TimeSpan DefaultCacheTtl = TimeSpan.FromSeconds(10);

    /// <summary>The default time in-flight handlers get to finish when unsubscribing: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default listen address: a free port on the IPv4 loopback.</summary>
    public const string DefaultAddress = "127.0.0.1:0";

    /// <summary>The environment variable that sets <see cref="Address"/>.</summary>
    public const string AddressEnvironmentVariable = "MICROGEN_BROKER_ADDRESS";

    /// <summary>The transport deliveries travel on (the subscriber listens on it). Required.</summary>
    public ITransport Transport { get; set; } = null!;

    /// <summary>Where subscribers register and publishers find them. Required.</summary>
    public IRegistry Registry { get; set; } = null!;

    /// <summary>
    /// The address to receive deliveries on, once something subscribes. Defaults to
    /// <see cref="AddressEnvironmentVariable"/> when set, else <see cref="DefaultAddress"/>.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>The address advertised in the registry, when it differs from the bound one.</summary>
    public string? Advertise { get; set; }

    /// <summary>This broker's id, the prefix of its subscription ids. Defaults to <c>broker-</c> plus a random suffix.</summary>
    public string? Id { get; set; }

    /// <summary>How long a subscriber registration lives without refresh. Defaults to <see cref="RegisterOptions.DefaultTtl"/> (30 s).</summary>
    public TimeSpan RegisterTtl { get; set; } = RegisterOptions.DefaultTtl;

    /// <summary>How often subscriber registrations are refreshed. Defaults to <see cref="Server.ServerOptions.DefaultRegisterInterval"/> (10 s).</summary>
    public TimeSpan RegisterInterval { get; set; } = Server.ServerOptions.DefaultRegisterInterval;

    /// <summary>
    /// How long a delivery may take to be acknowledged unless <see cref="PublishOptions.Timeout"/>
    /// says otherwise; the subscriber's handler is cancelled when it passes. Defaults to
    /// <see cref="DefaultDeliveryTimeout"/>.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = DefaultDeliveryTimeout;

    /// <summary>
    /// How many times a delivery that failed for a transport reason (refused, dropped, subscriber
    /// draining) is attempted per target; for a queue group each attempt round tries every member
    /// once. Defaults to <see cref="DefaultMaxDeliveryAttempts"/>.
    /// </summary>
    public int MaxDeliveryAttempts { get; set; } = DefaultMaxDeliveryAttempts;

    /// <summary>The wait before the second attempt round, doubled for each next one. Defaults to <see cref="DefaultRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = DefaultRetryDelay;

    /// <summary>The cap on the wait between attempt rounds. Defaults to <see cref="DefaultMaxRetryDelay"/>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = DefaultMaxRetryDelay;

    /// <summary>
    /// How long a topic's subscriber list is served from the cache when the registry reported no
    /// change. The cache is also dropped on any registry event for the topic and after a failed
    /// delivery. Defaults to <see cref="DefaultCacheTtl"/>.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = DefaultCacheTtl;

    /// <summary>How long in-flight handlers get to finish when unsubscribing before they are cancelled. Defaults to <see cref="DefaultDrainTimeout"/>.</summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>
    /// The clock the publisher waits on between delivery attempt rounds (<see cref="RetryDelay"/>,
    /// doubled up to <see cref="MaxRetryDelay"/>). Defaults to <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logs; defaults to none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
