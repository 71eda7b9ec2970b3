using System;
using System.Collections.Generic;
using System.Linq;

namespace MicroGen.Registry;

/// <summary>A registered service version and its nodes (go-micro's <c>registry.Service</c>).</summary>
public sealed record ServiceInfo
{
    /// <summary>The service name, for example <c>greeter</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The version the nodes run.</summary>
    public string Version { get; init; } = "latest";

    /// <summary>Service-level metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>The endpoints the service answers.</summary>
    public IReadOnlyList<EndpointInfo> Endpoints { get; init; } = Array.Empty<EndpointInfo>();

    /// <summary>The nodes running it.</summary>
    public IReadOnlyList<Node> Nodes { get; init; } = Array.Empty<Node>();

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    /// <inheritdoc/>
    public bool Equals(ServiceInfo? other) =>
        other is not null
        && Name == other.Name
        && Version == other.Version
        && Node.MetadataEquals(Metadata, other.Metadata)
        && Endpoints.SequenceEqual(other.Endpoints)
        && Nodes.SequenceEqual(other.Nodes);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Version, Nodes.Count);
}

/// <summary>One running instance of a service (go-micro's <c>registry.Node</c>).</summary>
public sealed record Node
{
    /// <summary>A unique id, for example <c>greeter-6f1c…</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The address to dial, for example <c>127.0.0.1:52311</c>.</summary>
    public required string Address { get; init; }

    /// <summary>Node metadata: transport, codecs, anything the selector filters on.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ServiceInfo.EmptyMetadata;

    /// <inheritdoc/>
    public bool Equals(Node? other) =>
        other is not null && Id == other.Id && Address == other.Address && MetadataEquals(Metadata, other.Metadata);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Address);

    internal static bool MetadataEquals(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }
        if (a.Count != b.Count)
        {
            return false;
        }
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>An endpoint a service answers (go-micro's <c>registry.Endpoint</c>).</summary>
public sealed record EndpointInfo
{
    /// <summary>The endpoint name, for example <c>Greeter.SayHello</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The request type's name.</summary>
    public string? Request { get; init; }

    /// <summary>The response type's name.</summary>
    public string? Response { get; init; }

    /// <summary>Endpoint metadata, for example <c>stream</c> and <c>idempotent</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ServiceInfo.EmptyMetadata;

    /// <inheritdoc/>
    public bool Equals(EndpointInfo? other) =>
        other is not null && Name == other.Name && Request == other.Request && Response == other.Response
        && Node.MetadataEquals(Metadata, other.Metadata);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Request, Response);
}

/// <summary>What happened to a registration (go-micro's <c>registry.Result</c>).</summary>
public enum RegistryEventKind
{
    /// <summary>A node appeared.</summary>
    Create,
    /// <summary>A node's registration changed or was refreshed with new data.</summary>
    Update,
    /// <summary>A node was deregistered or expired.</summary>
    Delete,
}

/// <summary>A change seen by <see cref="IRegistry.WatchAsync"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Service">The service, holding the node(s) concerned.</param>
public sealed record RegistryEvent(RegistryEventKind Kind, ServiceInfo Service);
