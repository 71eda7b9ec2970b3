using System;
using System.Collections.Generic;
using MicroGen.Broker;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;

namespace MicroGen.Client;

/// <summary>Options of a <see cref="MicroClient"/>.</summary>
public sealed class ClientOptions
{
    /// <summary>The default per-call timeout: 5 seconds, like go-micro's.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default number of retries after a transport failure: 1, like go-micro's.</summary>
    public const int DefaultRetries = 1;

    /// <summary>The transport calls travel on. Required.</summary>
    public ITransport Transport { get; set; } = null!;

    /// <summary>Where services are looked up. Required unless every call names an address.</summary>
    public IRegistry Registry { get; set; } = null!;

    /// <summary>How a node is picked. Defaults to a <see cref="RandomSelector"/>.</summary>
    public ISelector Selector { get; set; } = new RandomSelector();

    /// <summary>
    /// The codecs calls may use, by content type. Defaults to MessagePack, protobuf and JSON.
    /// </summary>
    public IList<ICodec> Codecs { get; set; } = new List<ICodec> { MessagePackCodec.Instance, ProtobufCodec.Instance, JsonCodec.Instance };

    /// <summary>How long a call waits for its reply unless a call says otherwise. Defaults to <see cref="DefaultTimeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>How many times a call is retried after a transport failure. Defaults to <see cref="DefaultRetries"/>.</summary>
    public int Retries { get; set; } = DefaultRetries;

    /// <summary>The content type used for every call instead of each method's default, when set.</summary>
    public string? ContentType { get; set; }

    /// <summary>The broker events are published through. Null until set; a service sets its own.</summary>
    public IBroker? Broker { get; set; }

    /// <summary>The name of the service the client belongs to, sent as the publisher of events.</summary>
    public string? Name { get; set; }

    /// <summary>Logs; defaults to none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
