using MicroGen.Generator.Helpers;

namespace MicroGen.Generator.Model;

/// <summary>One <c>[MicroService]</c> interface, as the emitter needs it.</summary>
/// <remarks>
/// Immutable and value-equatable (a <c>sealed record</c> of strings, enums and
/// <see cref="EquatableArray{T}"/>s) so that Roslyn caches it between edits; it holds no symbol,
/// syntax node, location or compilation.
/// </remarks>
internal sealed record ContractModel
{
    /// <summary>The namespace of the interface, <c>""</c> for the global namespace, for example <c>Demo</c>.</summary>
    public required string Namespace { get; init; }

    /// <summary>The interface's fully qualified name, for example <c>global::Demo.IGreeter</c>.</summary>
    public required string InterfaceFullName { get; init; }

    /// <summary>
    /// The prefix of the generated type names: the contract name, preceded by the names of the
    /// containing types for a nested interface (<c>Greeter</c>, <c>Outer_Greeter</c>).
    /// </summary>
    public required string TypePrefix { get; init; }

    /// <summary>The name of the generated file, for example <c>Demo.IGreeter.g.cs</c>.</summary>
    public required string HintName { get; init; }

    /// <summary><c>public</c> when the interface is visible outside its assembly, else <c>internal</c>.</summary>
    public required string Accessibility { get; init; }

    /// <summary>The service name from <c>[MicroService("greeter")]</c>.</summary>
    public required string ServiceName { get; init; }

    /// <summary>The version from <c>[MicroService(Version = …)]</c>, or <c>latest</c>.</summary>
    public required string Version { get; init; }

    /// <summary>The interface name without its leading <c>I</c>, for example <c>Greeter</c>.</summary>
    public required string ContractName { get; init; }

    /// <summary>The endpoints, own methods first then inherited ones, in declaration order.</summary>
    public required EquatableArray<MethodModel> Methods { get; init; }

    /// <summary>Every type whose codec routines the contract needs, sorted ordinally by name.</summary>
    public required EquatableArray<CodecTypeModel> CodecTypes { get; init; }

    /// <summary>The generated descriptor class's name, for example <c>GreeterDescriptor</c>.</summary>
    public string DescriptorName => TypePrefix + "Descriptor";

    /// <summary>The generated proxy class's name, for example <c>GreeterClient</c>.</summary>
    public string ClientName => TypePrefix + "Client";

    /// <summary>The generated dispatcher class's name, for example <c>GreeterDispatcher</c>.</summary>
    public string DispatcherName => TypePrefix + "Dispatcher";

    /// <summary>The namespace prefix of generated type names, <c>global::Demo.</c> or <c>global::</c>.</summary>
    public string QualifiedNamespacePrefix => Namespace.Length == 0 ? "global::" : "global::" + Namespace + ".";
}

/// <summary>What the shared registration file needs to know about a contract.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record ContractRegistrationModel
{
    /// <summary>The interface's fully qualified name.</summary>
    public required string InterfaceFullName { get; init; }

    /// <summary>The descriptor class's fully qualified name.</summary>
    public required string DescriptorFullName { get; init; }

    /// <summary>The proxy class's fully qualified name.</summary>
    public required string ClientFullName { get; init; }

    /// <summary>The dispatcher class's fully qualified name.</summary>
    public required string DispatcherFullName { get; init; }
}

/// <summary>Everything the shared file (codecs and module initializer) is generated from.</summary>
/// <remarks>
/// Immutable and value-equatable; both arrays are de-duplicated and sorted ordinally so that
/// the same contracts give the same text whatever order Roslyn found them in.
/// </remarks>
internal sealed record SharedModel
{
    /// <summary>The contracts to register, sorted by interface name.</summary>
    public required EquatableArray<ContractRegistrationModel> Contracts { get; init; }

    /// <summary>The codec types of all contracts and events, sorted by name.</summary>
    public required EquatableArray<CodecTypeModel> CodecTypes { get; init; }
}
