using Microsoft.CodeAnalysis;

namespace MicroGen.Analyzers;

/// <summary>
/// Every diagnostic MicroGen reports, in one table. IDs are never reused; each has a page under
/// <c>docs/diagnostics/</c> and a line in <c>AnalyzerReleases.Unshipped.md</c> (RS2008).
/// </summary>
/// <remarks>
/// Severity follows what happens at run time: an error when the generator skips the contract (so
/// <c>For&lt;T&gt;()</c>/<c>Handle&lt;T&gt;()</c> would fail), a warning when data is silently lost or a
/// caller is left out (or, as for MG0020, when the rule judges two call sites together), info for advice.
/// </remarks>
internal static class DiagnosticDescriptors
{
    /// <summary>Category of the rules about contract shape.</summary>
    public const string ContractCategory = "MicroGen.Contract";

    /// <summary>Category of the rules about payload types.</summary>
    public const string CodecCategory = "MicroGen.Codec";

    /// <summary>Category of the rules about publishing and subscribing.</summary>
    public const string PubSubCategory = "MicroGen.PubSub";

    /// <summary>Property key: the name a code fix writes (endpoint name, parameter name).</summary>
    public const string NameProperty = "Name";

    /// <summary>Property key: the parameter modifier a code fix removes.</summary>
    public const string ModifierProperty = "Modifier";

    private const string HelpLinkFormat = "https://github.com/microgen/microgen/blob/main/docs/diagnostics/{0}.md";

    /// <summary>MG0001: a contract method returns something other than Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt; or IAsyncEnumerable&lt;T&gt;.</summary>
    public static readonly DiagnosticDescriptor UnsupportedReturnType = new(
        id: "MG0001",
        title: "Unsupported return type",
        messageFormat: "Method '{0}' returns '{1}', which a remote call cannot return. Return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>, here '{2}'.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every call crosses the network, so a contract method is asynchronous: it returns Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>.",
        helpLinkUri: HelpLink("MG0001"));

    /// <summary>MG0002: a <c>ref</c>, <c>out</c>, <c>in</c>, <c>ref readonly</c>, <c>params</c> or pointer parameter.</summary>
    public static readonly DiagnosticDescriptor UnsupportedParameter = new(
        id: "MG0002",
        title: "Unsupported parameter kind",
        messageFormat: "Parameter '{0}' of method '{1}' is {2}, which cannot cross the wire. {3}.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Arguments are copied to the server and nothing is copied back, so contract parameters are plain values: no ref, out, in, ref readonly, params or pointers.",
        helpLinkUri: HelpLink("MG0002"));

    /// <summary>MG0003: two methods map to the same endpoint name.</summary>
    public static readonly DiagnosticDescriptor DuplicateEndpoint = new(
        id: "MG0003",
        title: "Duplicate endpoint name",
        messageFormat: "Method '{0}' maps to endpoint '{1}', which method '{2}' already uses. Give it a unique name, for example [Endpoint(\"{3}\")].",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The server dispatches on the endpoint name ('Greeter.SayHello'), so overloads and [Endpoint] overrides must give every method a different one.",
        helpLinkUri: HelpLink("MG0003"));

    /// <summary>MG0004: an <c>[Endpoint]</c> name that is empty, has white space, or starts or ends with a dot.</summary>
    public static readonly DiagnosticDescriptor InvalidEndpointName = new(
        id: "MG0004",
        title: "Invalid endpoint name",
        messageFormat: "The [Endpoint] name '{0}' of method '{1}' is not usable. Use a non-empty name with no white space and no leading or trailing dot, such as \"{2}\".",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An [Endpoint] name without a dot replaces the method part of the endpoint name; one with a dot is the whole endpoint name.",
        helpLinkUri: HelpLink("MG0004"));

    /// <summary>MG0005: a <c>CancellationToken</c> that is not the last parameter, or more than one.</summary>
    public static readonly DiagnosticDescriptor MisplacedCancellationToken = new(
        id: "MG0005",
        title: "CancellationToken must be the last parameter",
        messageFormat: "Parameter '{0}' of method '{1}' is a CancellationToken that is {2}. A contract method takes at most one CancellationToken, as its last parameter.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The trailing CancellationToken is the call's token: it is not sent as data but cancels the call, and the handler gets one cancelled by the caller or the deadline.",
        helpLinkUri: HelpLink("MG0005"));

    /// <summary>MG0006: a contract method without a <c>CancellationToken</c>.</summary>
    public static readonly DiagnosticDescriptor MissingCancellationToken = new(
        id: "MG0006",
        title: "Contract method without a CancellationToken",
        messageFormat: "Method '{0}' takes no CancellationToken, so callers cannot cancel it and its handler never sees the deadline. Add 'CancellationToken cancellationToken = default' as the last parameter.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Cancellation and deadlines cross the wire only through a trailing CancellationToken parameter.",
        helpLinkUri: HelpLink("MG0006"));

    /// <summary>MG0007: a parameter, result or event type the codecs cannot carry.</summary>
    public static readonly DiagnosticDescriptor UnsupportedPayloadType = new(
        id: "MG0007",
        title: "Type the codecs cannot carry",
        messageFormat: "{0} has type '{1}', which the codecs cannot carry: {2}. {3}.",
        category: CodecCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Codec routines are generated for primitives, strings, Guid, dates, byte[], enums, arrays, List<T>, Dictionary<K,V>, Nullable<T>, protobuf messages and concrete classes, records and structs built from those.",
        helpLinkUri: HelpLink("MG0007"));

    /// <summary>MG0008: a contract that carries protobuf messages also carries a non-protobuf payload.</summary>
    public static readonly DiagnosticDescriptor NonProtobufPayload = new(
        id: "MG0008",
        title: "Non-protobuf payload in a protobuf contract",
        messageFormat: "Contract '{0}' carries protobuf messages, but {1} has type '{2}', which is not one. That endpoint falls back to MessagePack, so protobuf-only callers cannot call it; use a protobuf message.",
        category: CodecCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An endpoint speaks application/protobuf by default only when its request and response are protobuf messages (or nothing).",
        helpLinkUri: HelpLink("MG0008"));

    /// <summary>MG0009: a generic <c>[MicroService]</c> interface or a generic contract method.</summary>
    public static readonly DiagnosticDescriptor GenericContract = new(
        id: "MG0009",
        title: "Generic contract",
        messageFormat: "{0} '{1}' is generic, but generated proxies and dispatchers need concrete types. Remove the type parameters and use concrete types.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator writes codec routines for concrete payload types only, so contracts and their methods cannot be generic.",
        helpLinkUri: HelpLink("MG0009"));

    /// <summary>MG0010: a property, event or indexer on a contract.</summary>
    public static readonly DiagnosticDescriptor NonMethodMember = new(
        id: "MG0010",
        title: "Contract member that is not a method",
        messageFormat: "'{0}' is {1}, but a contract carries only methods. Replace it with a method, such as '{2}'.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Only methods become endpoints; properties, events and indexers cannot be called remotely.",
        helpLinkUri: HelpLink("MG0010"));

    /// <summary>MG0011: an invalid service name.</summary>
    public static readonly DiagnosticDescriptor InvalidServiceName = new(
        id: "MG0011",
        title: "Invalid service name",
        messageFormat: "Service name '{0}' of '{1}' is not valid. Use letters, digits, '.', '-' and '_' only, with no leading, trailing or double dot, for example \"{2}\".",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Service names follow go-micro's conventions ('greeter', 'go.micro.srv.greeter') so that every registry and broker accepts them.",
        helpLinkUri: HelpLink("MG0011"));

    /// <summary>MG0012: an empty or white-space version.</summary>
    public static readonly DiagnosticDescriptor MissingVersion = new(
        id: "MG0012",
        title: "Empty service version",
        messageFormat: "The Version of '{0}' is empty, so the service is advertised as version 'latest'. Set a version such as \"1.0.0\", or remove the Version argument.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The version is advertised in the registry and lets selectors pick nodes by version.",
        helpLinkUri: HelpLink("MG0012"));

    /// <summary>MG0013: a version with characters that cannot be advertised.</summary>
    public static readonly DiagnosticDescriptor InvalidVersion = new(
        id: "MG0013",
        title: "Invalid service version",
        messageFormat: "Version '{0}' of '{1}' is not valid. Use letters, digits, '.', '-', '_' and '+' only, preferably a semantic version such as \"1.0.0\".",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The version is advertised in the registry and written into generated code.",
        helpLinkUri: HelpLink("MG0013"));

    /// <summary>MG0014: a version that is not semantic.</summary>
    public static readonly DiagnosticDescriptor NonSemanticVersion = new(
        id: "MG0014",
        title: "Version is not a semantic version",
        messageFormat: "Version '{0}' of '{1}' is not a semantic version. Prefer MAJOR.MINOR.PATCH, such as \"1.0.0\", so that nodes can be selected by version.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Version filters compare versions; MAJOR.MINOR.PATCH (optionally with a leading 'v' and -pre or +build suffixes) compares predictably.",
        helpLinkUri: HelpLink("MG0014"));

    /// <summary>MG0015: two contracts in one compilation with the same service name.</summary>
    public static readonly DiagnosticDescriptor DuplicateServiceName = new(
        id: "MG0015",
        title: "Duplicate service name",
        messageFormat: "Service name '{0}' of '{1}' is also used by '{2}'. Give each contract its own service name, or suppress this warning if one service serves both on purpose.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Clients find nodes by service name: a node serving only one of the two contracts would receive calls for the other.",
        helpLinkUri: HelpLink("MG0015"));

    /// <summary>MG0016: a contract the generated code cannot implement.</summary>
    public static readonly DiagnosticDescriptor InaccessibleContract = new(
        id: "MG0016",
        title: "Contract not accessible to generated code",
        messageFormat: "Interface '{0}' is {1}, so the generated proxy and dispatcher cannot implement it. Make it public or internal.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated proxy and dispatcher live in the contract's namespace, outside any type, so the interface must be accessible from there.",
        helpLinkUri: HelpLink("MG0016"));

    /// <summary>MG0017: a streaming method with more than one stream parameter.</summary>
    public static readonly DiagnosticDescriptor StreamingNotGenerated = new(
        id: "MG0017",
        title: "More than one stream parameter",
        messageFormat: "Method '{0}' takes {1} IAsyncEnumerable<T> parameters, but a call carries at most one stream from the caller, so no code is generated for '{2}'. Merge the streams into one of a combined item type, or split the method.",
        category: ContractCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A client-streaming or duplex call carries one stream each way: at most one IAsyncEnumerable<T> parameter; the other parameters form the request.",
        helpLinkUri: HelpLink("MG0017"));

    /// <summary>MG0018: a published or subscribed event type the codecs have no routines for.</summary>
    public static readonly DiagnosticDescriptor UnsupportedEventType = new(
        id: "MG0018",
        title: "Event type the codecs cannot carry",
        messageFormat: "'{0}' is used as an event with {1}, but no codec routines are generated for it. Mark it [MicroEvent], use it in a [MicroService] contract, or use a protobuf message.",
        category: PubSubCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Events are encoded with generated routines, which exist only for [MicroEvent] types, contract types and protobuf messages.",
        helpLinkUri: HelpLink("MG0018"));

    /// <summary>MG0019: a topic literal that is not a valid topic name.</summary>
    public static readonly DiagnosticDescriptor InvalidTopic = new(
        id: "MG0019",
        title: "Invalid topic name",
        messageFormat: "Topic '{0}' is not a valid topic name. Use letters, digits, '.', '-' and '_' only, with no leading, trailing or double dot, for example \"{1}\".",
        category: PubSubCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Topics follow go-micro's naming ('user.created'); they are matched exactly and registered like service names.",
        helpLinkUri: HelpLink("MG0019"));

    /// <summary>MG0020: a subscription whose event type cannot read what the compilation publishes on its topic.</summary>
    public static readonly DiagnosticDescriptor SubscribedEventMismatch = new(
        id: "MG0020",
        title: "Subscribed event type does not match what is published on the topic",
        messageFormat: "Topic '{0}' is subscribed as '{1}' but published as '{2}' at {3}: {4}. Subscribe with '{2}', or publish a '{1}' on this topic and give '{2}' a topic of its own.",
        category: PubSubCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A subscriber decodes every event on its topic as its own event type, reading the members by name. A subscriber type may read fewer members than the publisher writes, but one that reads a member the publisher does not have, or reads it as another type, or expects another encoding, gets broken or empty events. Only constant topics published in the same compilation are compared.",
        helpLinkUri: HelpLink("MG0020"));

    /// <summary>MG0021: a member of a contract type whose value the codecs silently lose.</summary>
    public static readonly DiagnosticDescriptor LossyMember = new(
        id: "MG0021",
        title: "Member lost by the codecs",
        messageFormat: "'{0}' {1}, so its value is lost in transit. {2}.",
        category: CodecCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The codecs write public properties and fields and read them back through a setter, an init accessor or a constructor parameter of the same name.",
        helpLinkUri: HelpLink("MG0021"));

    private static string HelpLink(string id) => string.Format(System.Globalization.CultureInfo.InvariantCulture, HelpLinkFormat, id);
}
