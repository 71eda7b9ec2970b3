using System;
using Microsoft.Extensions.Logging;

namespace MicroGen.Broker;

/// <summary>Options of an <see cref="InMemoryBroker"/>.</summary>
public sealed class InMemoryBrokerOptions
{
    /// <summary>The default time a delivery may take to be acknowledged: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDeliveryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default time in-flight handlers get to finish when unsubscribing: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a delivery may take to be acknowledged unless <see cref="PublishOptions.Timeout"/> says otherwise; the handler's token fires when it passes. Defaults to <see cref="DefaultDeliveryTimeout"/>.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = DefaultDeliveryTimeout;

    /// <summary>How long in-flight handlers get to finish when unsubscribing before they are cancelled. Defaults to <see cref="DefaultDrainTimeout"/>.</summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>Logs; defaults to none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
