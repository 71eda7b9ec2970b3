using System.Collections.Generic;
using System.Linq;
using MicroGen.Generator.Helpers;

namespace MicroGen.Generator.Model;

/// <summary>The shape of a call, mirroring the runtime's <c>MicroGen.Client.MethodType</c>.</summary>
internal enum MethodKind
{
    /// <summary>One request, one response.</summary>
    Unary,

    /// <summary>One request, an <c>IAsyncEnumerable</c> of responses.</summary>
    ServerStreaming,

    /// <summary>An <c>IAsyncEnumerable</c> of requests (after the leading arguments), one response.</summary>
    ClientStreaming,

    /// <summary>Streams both ways.</summary>
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

    /// <summary><c>IAsyncEnumerable&lt;T&gt;</c> (server streaming and duplex): the response payload is each item.</summary>
    AsyncEnumerable,
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

    /// <summary>
    /// The parameters in declaration order, all but the trailing <c>CancellationToken</c>: the
    /// request payload's, and the <c>IAsyncEnumerable&lt;T&gt;</c> of a client-streaming or duplex method.
    /// </summary>
    public required EquatableArray<ParameterModel> Parameters { get; init; }

    /// <summary>The item type of the streamed parameter (client streaming, duplex), or null when there is none.</summary>
    public required string? RequestItemType { get; init; }

    /// <summary>The trailing <c>CancellationToken</c> parameter's name (escaped), or null when there is none.</summary>
    public required string? CancellationTokenName { get; init; }

    /// <summary>The request payload type: the single parameter's type, the argument struct, or <c>Empty</c>.</summary>
    public required string RequestType { get; init; }

    /// <summary>
    /// The response payload type: the result type, or <c>Empty</c>; for server streaming and duplex,
    /// the type of each item.
    /// </summary>
    public required string ResponseType { get; init; }

    /// <summary>The argument struct's simple name (<c>AddArguments</c>) when there are two or more parameters.</summary>
    public required string? ArgumentStructName { get; init; }

    /// <summary>Whether the method is marked <c>[Idempotent]</c>.</summary>
    public required bool Idempotent { get; init; }

    /// <summary>The default content type: <c>application/protobuf</c> or <c>application/msgpack</c>.</summary>
    public required string DefaultContentType { get; init; }

    /// <summary>The parameters that make up the request payload (all but the streamed one), in declaration order.</summary>
    public IEnumerable<ParameterModel> RequestParameters => Parameters.Where(static p => !p.IsStream);

    /// <summary>How many parameters make up the request payload: none gives <c>Empty</c>, one itself, more the argument struct.</summary>
    public int RequestParameterCount => Parameters.Count(static p => !p.IsStream);
}

/// <summary>One payload parameter of a contract method.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record ParameterModel
{
    /// <summary>The parameter name as an identifier, escaped when it is a keyword (<c>@class</c>).</summary>
    public required string Identifier { get; init; }

    /// <summary>The declared type, fully qualified with its nullable annotations.</summary>
    public required string Type { get; init; }

    /// <summary>Whether this is the <c>IAsyncEnumerable&lt;T&gt;</c> parameter of a client-streaming or duplex method.</summary>
    public required bool IsStream { get; init; }
}
