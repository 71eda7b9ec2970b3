using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MicroGen.Analyzers.Helpers;
using MicroGen.Generator;

namespace MicroGen.Analyzers;

/// <summary>
/// Publishing and subscribing: event types without codec routines (MG0018), topic literals that are
/// not valid topic names (MG0019) and subscriber handlers that do not fit the event (MG0020).
/// </summary>
/// <remarks>
/// Keyed on the method names <c>PublishAsync</c> and <c>Subscribe</c> declared on (or extending)
/// <c>MicroGen.Client.IClient</c>, <c>MicroGen.Service.IService</c> or <c>MicroGen.Server.IServer</c>,
/// so it works with whichever overloads the runtime offers and stays silent where they do not exist.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PubSubAnalyzer : DiagnosticAnalyzer
{
    private const string PublishName = "PublishAsync";
    private const string SubscribeName = "Subscribe";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnsupportedEventType,
        DiagnosticDescriptors.InvalidTopic,
        DiagnosticDescriptors.HandlerSignatureMismatch);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (!KnownSymbols.TryCreate(start.Compilation, out var symbols) || symbols.PubSubReceivers.IsEmpty)
            {
                return;
            }
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        var isPublish = method.Name == PublishName;
        if (!isPublish && method.Name != SubscribeName || !IsPubSubApi(method, symbols))
        {
            return;
        }

        // The topic (MG0019): only a constant can be checked.
        var topic = invocation.Arguments.FirstOrDefault(static a => a.Parameter is { Name: "topic", Type.SpecialType: SpecialType.System_String });
        if (topic is { Value.ConstantValue: { HasValue: true } constant } && !ContractRules.IsValidTopic(constant.Value as string))
        {
            var text = constant.Value as string;
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidTopic, topic.Value.Syntax.GetLocation(), text ?? "null", SuggestTopic(text)));
        }

        var eventType = method.IsGenericMethod ? method.TypeArguments[0] : null;
        if (eventType is null || eventType.TypeKind is TypeKind.TypeParameter or TypeKind.Error)
        {
            return;
        }

        // The event type (MG0018).
        if (!IsCarriedEvent(eventType, symbols, context))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnsupportedEventType, LocateEventType(invocation, method), ContractMembers.TypeName(eventType), method.Name));
        }

        // The handler (MG0020).
        if (!isPublish)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Type.TypeKind == TypeKind.Delegate || argument.Parameter?.Name == "handler")
                {
                    CheckHandler(context, symbols, argument, eventType);
                }
            }
        }
    }

    private static bool IsPubSubApi(IMethodSymbol method, KnownSymbols symbols)
    {
        var receiver = method.ReducedFrom is { } extension
            ? extension.Parameters[0].Type
            : method.IsExtensionMethod && method.Parameters.Length > 0 ? method.Parameters[0].Type : method.ContainingType;
        foreach (var api in symbols.PubSubReceivers)
        {
            if (SymbolEqualityComparer.Default.Equals(receiver, api) || receiver.AllInterfaces.Contains(api, SymbolEqualityComparer.Default))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsCarriedEvent(ITypeSymbol type, KnownSymbols symbols, OperationAnalysisContext context) =>
        symbols.IsMicroEvent(type) ||
        ContractRules.IsProtobufMessage(type) ||
        ContractRules.GetBuiltinRoutineName(type) is not null ||
        ContractTypeIndex.Get(symbols, context.CancellationToken).Contains(type);

    private static Location LocateEventType(IInvocationOperation invocation, IMethodSymbol method)
    {
        var syntax = invocation.Syntax is InvocationExpressionSyntax { Expression: var expression } ? expression : invocation.Syntax;
        var name = syntax switch
        {
            MemberAccessExpressionSyntax access => access.Name,
            SimpleNameSyntax simple => simple,
            _ => null,
        };
        if (name is GenericNameSyntax { TypeArgumentList.Arguments.Count: > 0 } generic)
        {
            return generic.TypeArgumentList.Arguments[0].GetLocation();
        }
        // An inferred type argument: point at the argument it was inferred from.
        var typeParameter = (method.ReducedFrom ?? method.OriginalDefinition).TypeParameters[0];
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.OriginalDefinition.Type is ITypeParameterSymbol parameterType && parameterType.Name == typeParameter.Name)
            {
                return argument.Syntax.GetLocation();
            }
        }
        return name?.GetLocation() ?? invocation.Syntax.GetLocation();
    }

    private static void CheckHandler(OperationAnalysisContext context, KnownSymbols symbols, IArgumentOperation argument, ITypeSymbol eventType)
    {
        var value = argument.Value;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }
        if (value is IDelegateCreationOperation creation)
        {
            value = creation.Target;
        }
        var (handler, name) = value switch
        {
            IAnonymousFunctionOperation lambda => (lambda.Symbol, "lambda"),
            IMethodReferenceOperation reference => (reference.Method, reference.Method.Name),
            _ => ((IMethodSymbol?)null, string.Empty),
        };
        if (handler is null)
        {
            return;
        }

        string? problem = null;
        var parameters = handler.Parameters;
        if (parameters.Length is 0 or > 2)
        {
            problem = $"it takes {parameters.Length} parameters";
        }
        else if (parameters[0].Type.TypeKind != TypeKind.Error && !SymbolEqualityComparer.Default.Equals(parameters[0].Type, eventType))
        {
            problem = $"its first parameter is '{ContractMembers.TypeName(parameters[0].Type)}', not '{ContractMembers.TypeName(eventType)}'";
        }
        else if (parameters.Length == 2 && !SymbolEqualityComparer.Default.Equals(parameters[1].Type, symbols.CancellationToken))
        {
            problem = $"its second parameter is '{ContractMembers.TypeName(parameters[1].Type)}', not CancellationToken";
        }
        else if (handler.ReturnType.TypeKind != TypeKind.Error && !IsTaskLike(handler.ReturnType))
        {
            problem = handler.ReturnsVoid
                ? "it returns void (an async void handler cannot be awaited, so failures are lost)"
                : $"it returns '{ContractMembers.TypeName(handler.ReturnType)}'";
        }
        if (problem is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.HandlerSignatureMismatch, argument.Syntax.GetLocation(), name, ContractMembers.TypeName(eventType), problem));
        }
    }

    private static bool IsTaskLike(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "Task" or "ValueTask", Arity: 0, ContainingNamespace: { } ns } && ns.ToDisplayString() == "System.Threading.Tasks";

    private static string SuggestTopic(string? topic)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in (topic ?? string.Empty).Trim())
        {
            var mapped = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' ? c : '.';
            if (mapped == '.' && (builder.Length == 0 || builder[builder.Length - 1] == '.'))
            {
                continue;
            }
            builder.Append(mapped);
        }
        var suggestion = builder.ToString().Trim('.');
        return ContractRules.IsValidTopic(suggestion) ? suggestion : "user.created";
    }
}
