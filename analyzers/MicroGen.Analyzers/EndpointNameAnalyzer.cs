using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using MicroGen.Analyzers.Helpers;
using MicroGen.Generator;

namespace MicroGen.Analyzers;

/// <summary>
/// Endpoint names: two methods mapping to the same one (MG0003, with the unique name the fix
/// writes) and unusable <c>[Endpoint]</c> names (MG0004).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EndpointNameAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.DuplicateEndpoint,
        DiagnosticDescriptors.InvalidEndpointName);

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
        var contractName = ContractRules.GetContractName(contract.Name);

        // First pass: every method's endpoint, in the generator's order.
        var methods = new List<(IMethodSymbol Method, string Endpoint, AttributeData? Attribute)>();
        foreach (var member in ContractMembers.GetEndpointCandidates(contract))
        {
            if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                continue;
            }
            var hasOverride = ContractRules.TryGetEndpointOverride(method, out var overrideName, out var attribute);
            if (hasOverride && overrideName is null)
            {
                ReportInvalidName(context, contract, method, attribute!);
                continue;
            }
            methods.Add((method, ContractRules.GetEndpointName(contractName, method.Name, overrideName), hasOverride ? attribute : null));
        }

        // Second pass: a later method whose endpoint is taken gets MG0003 and a free name for the fix.
        var taken = new HashSet<string>(methods.Select(static m => m.Endpoint), StringComparer.Ordinal);
        var owners = new Dictionary<string, IMethodSymbol>(StringComparer.Ordinal);
        foreach (var (method, endpoint, attribute) in methods)
        {
            if (!owners.TryGetValue(endpoint, out var owner))
            {
                owners.Add(endpoint, method);
                continue;
            }
            var suggestion = SuggestName(contractName, endpoint, taken);
            taken.Add(ContractRules.GetEndpointName(contractName, method.Name, suggestion));
            var own = ContractMembers.IsOwn(method, contract);
            Location location;
            if (!own)
            {
                location = ContractMembers.LocateBase(method.ContainingType, contract, cancellationToken);
            }
            else if (attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments })
            {
                location = arguments[0].GetLocation();
            }
            else
            {
                location = method.Locations[0];
            }
            var properties = own
                ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.NameProperty, suggestion)
                : ImmutableDictionary<string, string?>.Empty;
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.DuplicateEndpoint, location, properties,
                ContractMembers.Name(method), endpoint, ContractMembers.Name(owner), suggestion));
        }
    }

    /// <summary>The method part of a free endpoint name: <c>SayHello2</c>, <c>SayHello3</c>…</summary>
    private static string SuggestName(string contractName, string endpoint, HashSet<string> taken)
    {
        // Keep the fix's [Endpoint] short: only the part after the contract name, unless the clash is on a full override.
        var prefix = contractName + ".";
        var stem = endpoint.StartsWith(prefix, StringComparison.Ordinal) && endpoint.IndexOf('.', prefix.Length) < 0
            ? endpoint.Substring(prefix.Length)
            : endpoint;
        for (var i = 2; ; i++)
        {
            var candidate = stem + i.ToString(CultureInfo.InvariantCulture);
            if (!taken.Contains(ContractRules.GetEndpointName(contractName, string.Empty, candidate)))
            {
                return candidate;
            }
        }
    }

    private static void ReportInvalidName(SymbolAnalysisContext context, INamedTypeSymbol contract, IMethodSymbol method, AttributeData attribute)
    {
        var cancellationToken = context.CancellationToken;
        var name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error)
        {
            // The compiler reports the broken attribute itself.
            return;
        }
        Location location;
        if (!ContractMembers.IsOwn(method, contract))
        {
            location = ContractMembers.LocateBase(method.ContainingType, contract, cancellationToken);
        }
        else if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments })
        {
            location = arguments[0].GetLocation();
        }
        else
        {
            location = method.Locations[0];
        }
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.InvalidEndpointName, location, name ?? "null", ContractMembers.Name(method), method.Name));
    }
}
