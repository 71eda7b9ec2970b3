using MicroGen.Generator.Helpers;

namespace MicroGen.Generator.Model;

/// <summary>The shape of a call, mirroring the runtime's <c>MicroGen.Client.MethodType</c>.</summary>
internal enum MethodKind
{
    /// <summary>One request, one response.</summary>
    Unary,

    /// <summary>One request, an <c>IAsyncEnumerable</c> of responses (not generated yet).</summary>
    ServerStreaming,

    /// <summary>An <c>IAsyncEnumerable</c> of requests, one response (not generated yet).</summary>
    ClientStreaming,

    /// <summary>Streams both ways (not generated yet).</summary>
    DuplexStreaming,
}

/// <summary>What a contract method returns.</summary>
internal enum ReturnShape
{
    /// <summary><c>Task</c>: the response payload is <c>Empty</c>.</summary>
    Task,

    /// <summary><c>Task&lt;T&gt;</c>.</summary>
    TaskOfT,

    /// <summary><c>ValueTask</c>: the response payload is <c>Empty</c>.</summary>
    ValueTask,

    /// <summary><c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTaskOfT,
}

/// <summary>One contract method.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record MethodModel
{
    /// <summary>The C# method name, escaped if it is a keyword.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// A name unique within the contract's generated types, used for the descriptor field and the
    /// dispatcher's private method: the method name, with a number appended for overloads.
    /// </summary>
    public required string MemberName { get; init; }

    /// <summary>The endpoint name, for example <c>Greeter.SayHello</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The shape of the call.</summary>
    public required MethodKind Kind { get; init; }

    /// <summary>What the method returns.</summary>
    public required ReturnShape ReturnShape { get; init; }

    /// <summary>The declared return type, fully qualified, for example <c>global::System.Threading.Tasks.Task&lt;int&gt;</c>.</summary>
    public required string ReturnType { get; init; }

    /// <summary>
    /// The interface that declares the method, when it is not the contract itself (an inherited
    /// method); the proxy implements it explicitly through that interface.
    /// </summary>
    public required string DeclaringInterface { get; init; }

    /// <summary>Whether the method is declared on a base interface of the contract.</summary>
    public required bool IsInherited { get; init; }

    /// <summary>The payload parameters (all but the trailing <c>CancellationToken</c>).</summary>
    public required EquatableArray<ParameterModel> Parameters { get; init; }

    /// <summary>The trailing <c>CancellationToken</c> parameter's name (escaped), or null when there is none.</summary>
    public required string? CancellationTokenName { get; init; }

    /// <summary>The request payload type: the single parameter's type, the argument struct, or <c>Empty</c>.</summary>
    public required string RequestType { get; init; }

    /// <summary>The response payload type: the result type, or <c>Empty</c>.</summary>
    public required string ResponseType { get; init; }

    /// <summary>The argument struct's simple name (<c>AddArguments</c>) when there are two or more parameters.</summary>
    public required string? ArgumentStructName { get; init; }

    /// <summary>Whether the method is marked <c>[Idempotent]</c>.</summary>
    public required bool Idempotent { get; init; }

    /// <summary>The default content type: <c>application/protobuf</c> or <c>application/msgpack</c>.</summary>
    public required string DefaultContentType { get; init; }
}

/// <summary>One payload parameter of a contract method.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record ParameterModel
{
    /// <summary>The parameter name as an identifier, escaped when it is a keyword (<c>@class</c>).</summary>
    public required string Identifier { get; init; }

    /// <summary>The declared type, fully qualified with its nullable annotations.</summary>
    public required string Type { get; init; }
}
