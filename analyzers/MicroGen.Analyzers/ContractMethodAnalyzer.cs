using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using MicroGen.Analyzers.Helpers;
using MicroGen.Generator;
using MicroGen.Generator.Model;
using MethodKind = MicroGen.Generator.Model.MethodKind;

namespace MicroGen.Analyzers;

/// <summary>
/// The shape of a contract and its methods: return types (MG0001), parameter kinds (MG0002),
/// cancellation tokens (MG0005, MG0006), generics (MG0009), non-method members (MG0010) and
/// streaming methods with more than one stream parameter (MG0017).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ContractMethodAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnsupportedReturnType,
        DiagnosticDescriptors.UnsupportedParameter,
        DiagnosticDescriptors.MisplacedCancellationToken,
        DiagnosticDescriptors.MissingCancellationToken,
        DiagnosticDescriptors.GenericContract,
        DiagnosticDescriptors.NonMethodMember,
        DiagnosticDescriptors.StreamingNotGenerated);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (!KnownSymbols.TryCreate(start.Compilation, out var symbols))
            {
                return;
            }
            start.RegisterSymbolAction(c => AnalyzeContract(c, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeContract(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        var contract = (INamedTypeSymbol)context.Symbol;
        if (symbols.GetMicroServiceAttribute(contract) is null)
        {
            return;
        }
        var cancellationToken = context.CancellationToken;

        if (contract.IsGenericType)
        {
            var location = ContractMembers.GetSyntax(contract, cancellationToken) is InterfaceDeclarationSyntax { TypeParameterList: { } list }
                ? list.GetLocation()
                : contract.Locations[0];
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GenericContract, location, "Interface", contract.Name));
        }
        else if (ContractRules.ContainsTypeParameter(contract))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GenericContract, contract.Locations[0], "Interface", contract.ToDisplayString()));
        }

        foreach (var member in ContractMembers.GetEndpointCandidates(contract))
        {
            if (member is IMethodSymbol { MethodKind: Microsoft.CodeAnalysis.MethodKind.Ordinary } method)
            {
                AnalyzeMethod(context, symbols, contract, method);
            }
            else
            {
                ReportNonMethod(context, contract, member);
            }
        }
    }

    private static void ReportNonMethod(SymbolAnalysisContext context, INamedTypeSymbol contract, ISymbol member)
    {
        string kind;
        string suggestion;
        switch (member)
        {
            case IPropertySymbol { IsIndexer: true } indexer:
                kind = "an indexer";
                suggestion = $"Task<{ContractMembers.TypeName(indexer.Type)}> Get({string.Join(", ", indexer.Parameters.Select(static p => ContractMembers.TypeName(p.Type) + " " + p.Name))}, CancellationToken cancellationToken = default)";
                break;
            case IPropertySymbol property:
                kind = "a property";
                suggestion = $"Task<{ContractMembers.TypeName(property.Type)}> Get{property.Name}(CancellationToken cancellationToken = default)";
                break;
            case IEventSymbol:
                kind = "an event";
                suggestion = "a [MicroEvent] type published with IClient.PublishAsync";
                break;
            default:
                kind = "not an ordinary method";
                suggestion = "Task M(CancellationToken cancellationToken = default)";
                break;
        }
        var location = ContractMembers.IsOwn(member, contract)
            ? member.Locations.FirstOrDefault() ?? Location.None
            : ContractMembers.LocateBase(member.ContainingType, contract, context.CancellationToken);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NonMethodMember, location, ContractMembers.Name(member), kind, suggestion));
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, KnownSymbols symbols, INamedTypeSymbol contract, IMethodSymbol method)
    {
        var cancellationToken = context.CancellationToken;
        var methodName = ContractMembers.Name(method);

        if (method.IsGenericMethod)
        {
            var location = ContractMembers.Locate<MethodDeclarationSyntax>(method, contract, static s => s.TypeParameterList?.GetLocation(), cancellationToken);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GenericContract, location, "Method", methodName));
        }

        AnalyzeReturnType(context, contract, method, methodName);

        // Parameter kinds (MG0002).
        foreach (var parameter in method.Parameters)
        {
            var problem = ContractRules.GetParameterProblem(parameter);
            if (problem == ParameterProblem.None)
            {
                continue;
            }
            var (what, advice, modifier) = problem switch
            {
                ParameterProblem.Ref => ("a ref parameter", "Remove 'ref' and return any new value in the result", "ref"),
                ParameterProblem.Out => ("an out parameter", "Return the value in the result instead, for example in a record", null),
                ParameterProblem.In => ("an in parameter", "Remove 'in'; the argument is copied to the server anyway", "in"),
                ParameterProblem.RefReadOnly => ("a ref readonly parameter", "Remove 'ref readonly'; the argument is copied to the server anyway", "ref readonly"),
                ParameterProblem.Params => ("a params parameter", "Remove 'params' and pass an array or List<T>", "params"),
                _ => ("a pointer", "Pass the data as an array, for example byte[]", (string?)null),
            };
            var location = ContractMembers.Locate<ParameterSyntax>(parameter, contract, s => problem == ParameterProblem.Pointer || s.Modifiers.Count == 0
                ? s.Type?.GetLocation()
                : ContractMembers.Span(s.Modifiers.First(), s.Modifiers.Last()), cancellationToken);
            if (!ContractMembers.IsOwn(method, contract))
            {
                location = ContractMembers.LocateBase(method.ContainingType, contract, cancellationToken);
            }
            var properties = modifier is not null && ContractMembers.IsOwn(method, contract)
                ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.ModifierProperty, modifier)
                : ImmutableDictionary<string, string?>.Empty;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedParameter, location, properties, parameter.Name, methodName, what, advice));
        }

        // Cancellation tokens (MG0005, MG0006).
        var tokens = method.Parameters.Where(static p => ContractRules.IsCancellationToken(p.Type)).ToList();
        if (tokens.Count == 0)
        {
            if (symbols.CancellationToken is not null && ContractMembers.IsOwn(method, contract) && !method.Parameters.Any(static p => p.IsParams))
            {
                var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.NameProperty, UniqueParameterName(method));
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingCancellationToken, method.Locations[0], properties, methodName));
            }
        }
        else
        {
            var last = method.Parameters[method.Parameters.Length - 1];
            foreach (var token in tokens)
            {
                if (SymbolEqualityComparer.Default.Equals(token, last))
                {
                    continue;
                }
                var why = tokens.Count == 1 ? "not the last parameter" : $"one of {tokens.Count} CancellationToken parameters and not the last";
                var location = ContractMembers.Locate<ParameterSyntax>(token, contract, static s => s.GetLocation(), cancellationToken);
                if (!ContractMembers.IsOwn(method, contract))
                {
                    location = ContractMembers.LocateBase(method.ContainingType, contract, cancellationToken);
                }
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MisplacedCancellationToken, location, token.Name, methodName, why));
            }
        }
    }

    private static void AnalyzeReturnType(SymbolAnalysisContext context, INamedTypeSymbol contract, IMethodSymbol method, string methodName)
    {
        var cancellationToken = context.CancellationToken;
        var returnType = method.ReturnType;
        if (returnType.TypeKind == TypeKind.Error)
        {
            return;
        }
        var kind = ContractRules.GetMethodKind(method);
        if (!method.ReturnsByRef && !method.ReturnsByRefReadonly)
        {
            if (kind != MethodKind.Unary)
            {
                if (!ContractRules.IsSupportedStreamShape(method))
                {
                    var location = ContractMembers.Locate<MethodDeclarationSyntax>(method, contract, static s => s.Identifier.GetLocation(), cancellationToken);
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StreamingNotGenerated, location, methodName, ContractRules.CountStreamParameters(method), contract.Name));
                }
                if (ContractRules.IsAsyncEnumerable(returnType))
                {
                    return;
                }
            }
            if (ContractRules.TryGetReturnShape(returnType, out _, out _))
            {
                return;
            }
        }
        var isVoid = returnType.SpecialType == SpecialType.System_Void;
        var suggestion = isVoid ? "Task" : $"Task<{ContractMembers.TypeName(returnType)}>";
        var returnLocation = ContractMembers.Locate<MethodDeclarationSyntax>(method, contract, static s => s.ReturnType.GetLocation(), cancellationToken);
        var properties = ContractMembers.IsOwn(method, contract) && !ContractRules.IsAsyncEnumerable(returnType)
            ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.NameProperty, isVoid ? "Task" : "Task<T>")
            : ImmutableDictionary<string, string?>.Empty;
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedReturnType, returnLocation, properties, methodName, ContractMembers.TypeName(returnType), suggestion));
    }

    private static string UniqueParameterName(IMethodSymbol method)
    {
        var names = new HashSet<string>(method.Parameters.Select(static p => p.Name));
        foreach (var candidate in new[] { "cancellationToken", "ct", "cancellation" })
        {
            if (!names.Contains(candidate))
            {
                return candidate;
            }
        }
        var i = 2;
        while (names.Contains("cancellationToken" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            i++;
        }
        return "cancellationToken" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
