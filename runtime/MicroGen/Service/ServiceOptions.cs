using System;
using System.Collections.Generic;
using MicroGen.Broker;
using MicroGen.Codec;
using MicroGen.Registry;
using MicroGen.Selector;
using MicroGen.Transport;
using Microsoft.Extensions.Logging;

namespace MicroGen.Service;

/// <summary>
/// Options of a service, go-micro style: every part is replaceable, and unset parts use the
/// embedded defaults.
/// </summary>
public sealed class ServiceOptions
{
    /// <summary>The service name registered. Defaults to the first handled contract's service name.</summary>
    public string? Name { get; set; }

    /// <summary>The version registered. Defaults to the first handled contract's version.</summary>
    public string? Version { get; set; }

    /// <summary>This node's id. Defaults to the name plus a random suffix.</summary>
    public string? Id { get; set; }

    /// <summary>The address the server listens on; see <see cref="Server.ServerOptions.Address"/>.</summary>
    public string? Address { get; set; }

    /// <summary>The address advertised in the registry, when it differs from the bound one.</summary>
    public string? Advertise { get; set; }

    /// <summary>Node metadata advertised in the registry.</summary>
    public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();

    /// <summary>The transport. Defaults to a <see cref="TcpTransport"/> of the service's own, on a free loopback port.</summary>
    public ITransport? Transport { get; set; }

    /// <summary>
    /// The registry. Defaults to a <see cref="FileSystemRegistry"/> in the per-user folder (or
    /// <c>MICROGEN_REGISTRY_DIR</c>), so services on one machine find each other with no set-up.
    /// The client's lookups go through a <see cref="CachingRegistry"/> over it.
    /// </summary>
    public IRegistry? Registry { get; set; }

    /// <summary>The selector. Defaults to a <see cref="RandomSelector"/>.</summary>
    public ISelector? Selector { get; set; }

    /// <summary>
    /// The broker for events. Defaults to an <see cref="EmbeddedBroker"/> on the service's transport
    /// and registry (cross-process when those are), which the service owns and disposes.
    /// </summary>
    public IBroker? Broker { get; set; }

    /// <summary>The codecs. Defaults to MessagePack, protobuf and JSON.</summary>
    public IList<ICodec>? Codecs { get; set; }

    /// <summary>The per-call timeout of the client. Defaults to <see cref="Client.ClientOptions.DefaultTimeout"/> (5 s).</summary>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary>The client's retries after a transport failure. Defaults to <see cref="Client.ClientOptions.DefaultRetries"/> (1).</summary>
    public int? Retries { get; set; }

    /// <summary>How long a registration lives without refresh. Defaults to 30 s.</summary>
    public TimeSpan RegisterTtl { get; set; } = RegisterOptions.DefaultTtl;

    /// <summary>How often the registration is refreshed. Defaults to 10 s.</summary>
    public TimeSpan RegisterInterval { get; set; } = Server.ServerOptions.DefaultRegisterInterval;

    /// <summary>How long in-flight calls get to finish on stop. Defaults to 10 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = Server.ServerOptions.DefaultDrainTimeout;

    /// <summary>Logs; defaults to none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
