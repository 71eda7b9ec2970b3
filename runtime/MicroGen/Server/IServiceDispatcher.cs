using System.Collections.Generic;
using System.Threading.Tasks;
using MicroGen.Client;

namespace MicroGen.Server;

/// <summary>
/// Runs the endpoints of one contract against its handler: the generator emits one per
/// <c>[MicroService]</c> interface, a <c>switch</c> on the endpoint name with no reflection.
/// </summary>
public interface IServiceDispatcher
{
    /// <summary>The contract served.</summary>
    ServiceDescriptor Descriptor { get; }

    /// <summary>
    /// Decodes the request of <paramref name="call"/>, runs the handler and writes the reply.
    /// </summary>
    /// <exception cref="MicroException">Code 404 when the endpoint is not this contract's.</exception>
    ValueTask DispatchAsync(ServerCall call);
}

/// <summary>Describes a contract: its service name, version and endpoints. Emitted by the generator.</summary>
/// <param name="Name">The service name, from <see cref="MicroServiceAttribute.Name"/>.</param>
/// <param name="Version">The version, from <see cref="MicroServiceAttribute.Version"/>, or <c>latest</c>.</param>
/// <param name="ContractName">The interface name without its leading <c>I</c>, for example <c>Greeter</c>.</param>
/// <param name="Methods">The endpoints, in declaration order.</param>
public sealed record ServiceDescriptor(string Name, string Version, string ContractName, IReadOnlyList<MethodDescriptor> Methods);
