using System;
using System.Collections.Generic;
using MicroGen.Registry;

namespace MicroGen.Selector;

/// <summary>
/// go-micro's selector: picks the node a call goes to from the services the registry returned,
/// applying filters, and takes nodes that fail out of rotation for a while.
/// </summary>
/// <remarks>Implementations: <see cref="RandomSelector"/> (the default) and <see cref="RoundRobinSelector"/>. Thread-safe.</remarks>
public interface ISelector
{
    /// <summary>The strategy's name, for example <c>random</c> or <c>roundrobin</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Picks a node of <paramref name="service"/> among <paramref name="services"/>, or returns
    /// <see langword="null"/> when no node passes the filters.
    /// </summary>
    Node? Select(string service, IReadOnlyList<ServiceInfo> services, SelectOptions? options = null);

    /// <summary>
    /// Reports the outcome of using <paramref name="node"/>: <paramref name="error"/> null for success.
    /// A node that failed to connect is left out of selection for a back-off period.
    /// </summary>
    void Mark(string service, Node node, Exception? error);
}
