using System;

namespace MicroGen;

/// <summary>
/// Marks an interface as a MicroGen service contract. The source generator emits a client proxy,
/// a server dispatcher and the codec routines for it.
/// </summary>
/// <remarks>
/// Endpoint names follow go-micro: <c>Greeter.SayHello</c> for method <c>SayHello</c> of interface
/// <c>IGreeter</c>. Use <see cref="EndpointAttribute"/> to override one.
/// </remarks>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class MicroServiceAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The service name clients discover the service by, for example <c>greeter</c>.</param>
    public MicroServiceAttribute(string name) => Name = name;

    /// <summary>The service name clients discover the service by.</summary>
    public string Name { get; }

    /// <summary>The contract version, advertised in the registry. Defaults to <c>latest</c> when unset.</summary>
    public string? Version { get; set; }
}

/// <summary>Overrides the endpoint name of a contract method.</summary>
/// <remarks>
/// A name without a dot replaces the method part (<c>[Endpoint("Hi")]</c> gives <c>Greeter.Hi</c>);
/// a name with a dot is used as the whole endpoint name.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class EndpointAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The endpoint name.</param>
    public EndpointAttribute(string name) => Name = name;

    /// <summary>The endpoint name.</summary>
    public string Name { get; }
}

/// <summary>
/// Says that a contract method is safe to run twice: only such calls are retried after they may
/// have reached a handler. Other calls are retried only when they provably never left the client.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class IdempotentAttribute : Attribute
{
}

/// <summary>Marks a type as an event type: its codec routines are generated like a contract type's.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class MicroEventAttribute : Attribute
{
}
