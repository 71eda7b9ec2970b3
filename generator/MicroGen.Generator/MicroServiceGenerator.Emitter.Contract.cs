using System.Linq;
using Microsoft.CodeAnalysis;
using MicroGen.Generator.Helpers;
using MicroGen.Generator.Model;
using MethodKind = MicroGen.Generator.Model.MethodKind;

namespace MicroGen.Generator;

public sealed partial class MicroServiceGenerator
{
    internal static partial class Emitter
    {
        /// <summary>Writes the per-contract file: descriptor, client proxy and dispatcher.</summary>
        public static void EmitContract(SourceProductionContext context, ContractModel contract)
        {
            context.AddSource(contract.HintName, WriteContract(contract).ToSourceText());
        }

        /// <summary>The per-contract file's text (exposed for tests).</summary>
        public static SourceWriter WriteContract(ContractModel contract)
        {
            var writer = new SourceWriter();
            WriteHeader(writer);
            var hasNamespace = contract.Namespace.Length > 0;
            if (hasNamespace)
            {
                writer.WriteLine($"namespace {contract.Namespace}");
                writer.OpenBlock();
            }
            WriteDescriptor(writer, contract);
            writer.WriteLine();
            WriteClient(writer, contract);
            writer.WriteLine();
            WriteDispatcher(writer, contract);
            if (hasNamespace)
            {
                writer.CloseBlock();
            }
            return writer;
        }

        private static string DescriptorFullName(ContractModel contract) => contract.QualifiedNamespacePrefix + contract.DescriptorName;

        /// <summary>
        /// <paramref name="expression"/>, with <c>!</c> when its declared type is a nullable reference
        /// (<c>IAsyncEnumerable&lt;T&gt;?</c>): the runtime rejects a null stream with its own exception.
        /// </summary>
        private static string NotNull(string expression, string declaredType) => declaredType.EndsWith("?", System.StringComparison.Ordinal) ? expression + "!" : expression;

        private static void WriteDescriptor(SourceWriter writer, ContractModel contract)
        {
            writer.WriteLine($"/// <summary>The endpoints of the <see cref=\"{contract.InterfaceFullName}\"/> contract, one <c>Method</c> per contract method.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"{contract.Accessibility} static class {contract.DescriptorName}");
            writer.OpenBlock();
            foreach (var method in contract.Methods)
            {
                writer.WriteLine($"/// <summary>The <c>{method.Endpoint}</c> endpoint.</summary>");
                writer.WriteLine($"public static readonly {MethodType}<{method.RequestType}, {method.ResponseType}> {method.MemberName} = new(");
                writer.Indent();
                writer.WriteLine($"{Literal(contract.ServiceName)}, {Literal(method.Endpoint)}, {MethodTypeEnum}.{method.Kind}, idempotent: {(method.Idempotent ? "true" : "false")}, defaultContentType: {Literal(method.DefaultContentType)});");
                writer.Unindent();
                writer.WriteLine();
            }
            writer.WriteLine($"/// <summary>The contract: service <c>{contract.ServiceName}</c>, version <c>{contract.Version}</c>.</summary>");
            writer.WriteLine($"public static readonly {ServiceDescriptorType} Descriptor = new(");
            writer.Indent();
            writer.WriteLine($"{Literal(contract.ServiceName)}, {Literal(contract.Version)}, {Literal(contract.ContractName)}, new {MethodDescriptorType}[] {{ {string.Join(", ", contract.Methods.Select(static m => m.MemberName))} }});");
            writer.Unindent();
            foreach (var method in contract.Methods)
            {
                if (method.ArgumentStructName is { } name)
                {
                    writer.WriteLine();
                    WriteArgumentStruct(writer, method, name);
                }
            }
            writer.CloseBlock();
        }

        private static void WriteArgumentStruct(SourceWriter writer, MethodModel method, string name)
        {
            writer.WriteLine($"/// <summary>The arguments of <c>{method.Name.TrimStart('@')}</c>, carried as one payload.</summary>");
            writer.WriteLine($"public readonly struct {name}");
            writer.OpenBlock();
            writer.WriteLine("/// <summary>Creates the payload.</summary>");
            writer.WriteLine($"public {name}({string.Join(", ", method.RequestParameters.Select(static p => $"{p.Type} {p.Identifier}"))})");
            writer.OpenBlock();
            foreach (var parameter in method.RequestParameters)
            {
                writer.WriteLine($"this.{parameter.Identifier} = {parameter.Identifier};");
            }
            writer.CloseBlock();
            foreach (var parameter in method.RequestParameters)
            {
                writer.WriteLine();
                writer.WriteLine($"/// <summary>The <c>{parameter.Identifier.TrimStart('@')}</c> argument.</summary>");
                writer.WriteLine($"public readonly {parameter.Type} {parameter.Identifier};");
            }
            writer.CloseBlock();
        }

        private static void WriteClient(SourceWriter writer, ContractModel contract)
        {
            writer.WriteLine($"/// <summary>The generated client of <see cref=\"{contract.InterfaceFullName}\"/>: each method calls the endpoint through an <see cref=\"{IClientType}\"/>.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"{contract.Accessibility} sealed class {contract.ClientName} : {contract.InterfaceFullName}");
            writer.OpenBlock();
            writer.WriteLine($"private readonly {IClientType} _client;");
            writer.WriteLine($"private readonly {CallOptionsType}? _options;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Creates a proxy that calls through <paramref name=\"client\"/>.</summary>");
            writer.WriteLine("/// <param name=\"client\">The client that makes the calls.</param>");
            writer.WriteLine("/// <param name=\"options\">Defaults for every call made through this proxy.</param>");
            writer.WriteLine($"public {contract.ClientName}({IClientType} client, {CallOptionsType}? options = null)");
            writer.OpenBlock();
            writer.WriteLine($"_client = client ?? throw new {ArgumentNullExceptionType}(nameof(client));");
            writer.WriteLine("_options = options;");
            writer.CloseBlock();

            var descriptor = DescriptorFullName(contract);
            foreach (var method in contract.Methods)
            {
                writer.WriteLine();
                var parameters = method.Parameters.Select(static p => $"{p.Type} {p.Identifier}").ToList();
                if (method.CancellationTokenName is { } tokenName)
                {
                    parameters.Add($"{CancellationTokenType} {tokenName}");
                }
                var request = method.RequestParameterCount switch
                {
                    0 => EmptyType + ".Value",
                    1 => method.RequestParameters.Single().Identifier,
                    _ => $"new {descriptor}.{method.ArgumentStructName}({string.Join(", ", method.RequestParameters.Select(static p => p.Identifier))})",
                };
                var arguments = $"{descriptor}.{method.MemberName}, {request}";
                // Unary calls go through the descriptor's instance method: no generic virtual call.
                var unaryArguments = $"_client, {request}";
                if (method.Parameters.FirstOrDefault(static p => p.IsStream) is { } stream)
                {
                    arguments += ", " + NotNull(stream.Identifier, stream.Type);
                }
                arguments += $", _options, {method.CancellationTokenName ?? "default"}";
                unaryArguments += $", _options, {method.CancellationTokenName ?? "default"}";
                var call = method.Kind switch
                {
                    MethodKind.ServerStreaming => $"_client.ServerStreamAsync({arguments})",
                    MethodKind.ClientStreaming => $"_client.ClientStreamAsync({arguments})",
                    MethodKind.DuplexStreaming => $"_client.DuplexStreamAsync({arguments})",
                    _ => $"{descriptor}.{method.MemberName}.CallAsync({unaryArguments})",
                };
                var isVoid = method.ReturnShape is ReturnShape.Task or ReturnShape.ValueTask;
                var signature = $"{method.ReturnType} {method.DeclaringInterface}.{method.Name}({string.Join(", ", parameters)})";

                writer.WriteLine("/// <inheritdoc/>");
                if (isVoid)
                {
                    // The reply of a void method is Empty: await it for its errors and drop it.
                    writer.WriteLine($"async {signature}");
                    writer.OpenBlock();
                    writer.WriteLine($"await {call}.ConfigureAwait(false);");
                    writer.CloseBlock();
                }
                else
                {
                    // IClient returns ValueTask<T> for one reply and IAsyncEnumerable<T> for a stream of them.
                    writer.WriteLine(signature);
                    writer.Indent();
                    writer.WriteLine(method.ReturnShape == ReturnShape.TaskOfT ? $"=> {call}.AsTask();" : $"=> {call};");
                    writer.Unindent();
                }
            }
            writer.CloseBlock();
        }

        private static void WriteDispatcher(SourceWriter writer, ContractModel contract)
        {
            var descriptor = DescriptorFullName(contract);
            writer.WriteLine($"/// <summary>The generated dispatcher of <see cref=\"{contract.InterfaceFullName}\"/>: runs each endpoint against a handler.</summary>");
            WriteTypeAttributes(writer);
            writer.WriteLine($"{contract.Accessibility} sealed class {contract.DispatcherName} : {ServiceDispatcherInterface}");
            writer.OpenBlock();
            writer.WriteLine($"private readonly {contract.InterfaceFullName} _handler;");
            writer.WriteLine();
            writer.WriteLine("/// <summary>Creates a dispatcher that runs calls against <paramref name=\"handler\"/>.</summary>");
            writer.WriteLine("/// <param name=\"handler\">The contract's implementation.</param>");
            writer.WriteLine($"public {contract.DispatcherName}({contract.InterfaceFullName} handler)");
            writer.OpenBlock();
            writer.WriteLine($"_handler = handler ?? throw new {ArgumentNullExceptionType}(nameof(handler));");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc/>");
            writer.WriteLine($"public {ServiceDescriptorType} Descriptor => {descriptor}.Descriptor;");
            writer.WriteLine();
            writer.WriteLine("/// <inheritdoc/>");
            writer.WriteLine($"public {ValueTaskType} DispatchAsync({ServerCallType} call)");
            writer.OpenBlock();
            writer.WriteLine($"{ArgumentNullExceptionType}.ThrowIfNull(call);");
            writer.WriteLine("switch (call.Endpoint)");
            writer.OpenBlock();
            foreach (var method in contract.Methods)
            {
                writer.WriteLine($"case {Literal(method.Endpoint)}:");
                writer.Indent();
                writer.WriteLine($"return Handle{method.MemberName}Async(call);");
                writer.Unindent();
            }
            writer.WriteLine("default:");
            writer.Indent();
            writer.WriteLine("throw call.EndpointNotFound();");
            writer.Unindent();
            writer.CloseBlock();
            writer.CloseBlock();

            foreach (var method in contract.Methods)
            {
                writer.WriteLine();
                writer.WriteLine($"private async {ValueTaskType} Handle{method.MemberName}Async({ServerCallType} call)");
                writer.OpenBlock();
                if (method.RequestParameterCount == 0)
                {
                    // Read the (empty) body anyway, so a malformed one is still a 400.
                    writer.WriteLine($"_ = call.ReadRequest<{EmptyType}>();");
                }
                else
                {
                    writer.WriteLine($"var request = call.ReadRequest<{method.RequestType}>();");
                }
                // Each parameter in declaration order: from the request payload, or the caller's stream.
                var arguments = method.Parameters.Select(p => p.IsStream
                    ? $"call.ReadStream<{method.RequestItemType}>()"
                    : method.RequestParameterCount == 1 ? "request" : "request." + p.Identifier);
                var target = method.IsInherited ? $"(({method.DeclaringInterface})_handler)" : "_handler";
                var allArguments = arguments.Concat(method.CancellationTokenName is null ? Enumerable.Empty<string>() : new[] { "call.CancellationToken" });
                var invocation = $"{target}.{method.Name}({string.Join(", ", allArguments)})";
                if (method.ReturnShape == ReturnShape.AsyncEnumerable)
                {
                    // WithCancellation reaches handlers whose iterator takes its token through [EnumeratorCancellation].
                    writer.WriteLine($"var responses = {NotNull(invocation, method.ReturnType)};");
                    writer.WriteLine($"await foreach (var item in {AsyncEnumerableExtensionsType}.WithCancellation(responses, call.CancellationToken).ConfigureAwait(false))");
                    writer.OpenBlock();
                    writer.WriteLine($"await call.WriteItemAsync<{method.ResponseType}>(item).ConfigureAwait(false);");
                    writer.CloseBlock();
                }
                else if (method.ReturnShape is ReturnShape.Task or ReturnShape.ValueTask)
                {
                    writer.WriteLine($"await {invocation}.ConfigureAwait(false);");
                    writer.WriteLine($"call.WriteResponse({EmptyType}.Value);");
                }
                else
                {
                    writer.WriteLine($"var result = await {invocation}.ConfigureAwait(false);");
                    writer.WriteLine($"call.WriteResponse<{method.ResponseType}>(result);");
                }
                writer.CloseBlock();
            }
            writer.CloseBlock();
        }
    }
}
