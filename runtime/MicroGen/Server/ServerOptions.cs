using System;
using System.Collections.Generic;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;

namespace MicroGen.Server;

/// <summary>Options of a <see cref="MicroServer"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>go-micro's RegisterInterval default: re-register every 10 seconds.</summary>
    public static readonly TimeSpan DefaultRegisterInterval = TimeSpan.FromSeconds(10);

    /// <summary>The default time in-flight calls get to finish on stop: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The environment variable that sets <see cref="Address"/>, like go-micro's <c>MICRO_SERVER_ADDRESS</c>.</summary>
    public const string AddressEnvironmentVariable = "MICROGEN_SERVER_ADDRESS";

    /// <summary>The service name registered. Defaults to the first handled contract's service name.</summary>
    public string? Name { get; set; }

    /// <summary>The version registered. Defaults to the first handled contract's version.</summary>
    public string? Version { get; set; }

    /// <summary>This node's id. Defaults to the name plus a random suffix.</summary>
    public string? Id { get; set; }

    /// <summary>
    /// The address to listen on. Defaults to <see cref="AddressEnvironmentVariable"/> when set, else
    /// a free port on the loopback interface (<c>127.0.0.1:0</c>).
    /// </summary>
    public string? Address { get; set; }

    /// <summary>The address to advertise in the registry, when it differs from the bound one (NAT, containers).</summary>
    public string? Advertise { get; set; }

    /// <summary>Node metadata advertised in the registry.</summary>
    public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();

    /// <summary>The transport to listen on. Required.</summary>
    public ITransport Transport { get; set; } = null!;

    /// <summary>Where the node registers. Null means the server is reachable only by address.</summary>
    public IRegistry? Registry { get; set; }

    /// <summary>The codecs the server answers, by content type. Defaults to MessagePack, protobuf and JSON.</summary>
    public IList<ICodec> Codecs { get; set; } = new List<ICodec> { MessagePackCodec.Instance, ProtobufCodec.Instance, JsonCodec.Instance };

    /// <summary>How long a registration lives without refresh. Defaults to <see cref="RegisterOptions.DefaultTtl"/> (30 s).</summary>
    public TimeSpan RegisterTtl { get; set; } = RegisterOptions.DefaultTtl;

    /// <summary>How often the registration is refreshed. Defaults to <see cref="DefaultRegisterInterval"/> (10 s).</summary>
    public TimeSpan RegisterInterval { get; set; } = DefaultRegisterInterval;

    /// <summary>How long in-flight calls get to finish on stop before they are cancelled. Defaults to <see cref="DefaultDrainTimeout"/>.</summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>Logs; defaults to none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
