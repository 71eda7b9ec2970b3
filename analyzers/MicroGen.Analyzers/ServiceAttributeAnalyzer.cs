using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using MicroGen.Analyzers.Helpers;
using MicroGen.Generator;

namespace MicroGen.Analyzers;

/// <summary>
/// The <c>[MicroService]</c> attribute and the interface it marks: service name (MG0011), version
/// (MG0012, MG0013, MG0014), service names shared by two contracts of the compilation (MG0015) and whether
/// generated code can implement the interface at all (MG0016).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ServiceAttributeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidServiceName,
        DiagnosticDescriptors.MissingVersion,
        DiagnosticDescriptors.InvalidVersion,
        DiagnosticDescriptors.NonSemanticVersion,
        DiagnosticDescriptors.DuplicateServiceName,
        DiagnosticDescriptors.InaccessibleContract);

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
        if (symbols.GetMicroServiceAttribute(contract) is not { } attribute)
        {
            return;
        }
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) as AttributeSyntax;
        var arguments = syntax?.ArgumentList?.Arguments ?? default;

        // The service name (MG0011).
        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind != TypedConstantKind.Error)
        {
            var name = attribute.ConstructorArguments[0].Value as string;
            var location = arguments.FirstOrDefault(static a => a.NameEquals is null)?.GetLocation() ?? syntax?.GetLocation() ?? contract.Locations[0];
            if (!ContractRules.IsValidServiceName(name))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InvalidServiceName, location, name ?? "null", contract.Name, SuggestServiceName(name, contract)));
            }
            else if (ContractTypeIndex.Get(symbols, context.CancellationToken).ContractsNamed(name!) is { Count: > 1 } sameName)
            {
                // Reported on each contract, naming another, from its own symbol action: the IDE shows it in that file as you type.
                var other = sameName.First(c => !SymbolEqualityComparer.Default.Equals(c, contract));
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateServiceName, location, name, contract.Name, other.Name));
            }
        }

        // The version (MG0012–MG0014).
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key != "Version" || named.Value.Kind == TypedConstantKind.Error)
            {
                continue;
            }
            var version = named.Value.Value as string;
            var location = arguments.FirstOrDefault(static a => a.NameEquals?.Name.Identifier.ValueText == "Version")?.GetLocation() ?? contract.Locations[0];
            if (ContractRules.IsMissingVersion(version))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingVersion, location, contract.Name));
            }
            else if (!ContractRules.IsValidVersion(version!))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidVersion, location, Printable(version!), contract.Name));
            }
            else if (!ContractRules.IsSemanticVersion(version!))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NonSemanticVersion, location, version, contract.Name));
            }
        }

        // Accessibility (MG0016): the generated types sit in the contract's namespace.
        string? inaccessible = null;
        if (!ContractRules.IsImplementable(contract, context.Compilation))
        {
            inaccessible = contract.IsFileLocal ? "file-local" : contract.DeclaredAccessibility switch
            {
                Accessibility.Private => "private",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => "nested in a type that hides it",
            };
        }
        if (inaccessible is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InaccessibleContract, contract.Locations[0], contract.Name, inaccessible));
        }
    }

    /// <summary>A valid service name close to <paramref name="name"/>, or one derived from the interface.</summary>
    private static string SuggestServiceName(string? name, INamedTypeSymbol contract)
    {
        var builder = new StringBuilder();
        foreach (var c in (name ?? string.Empty).Trim())
        {
            var mapped = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' ? c : '-';
            if (mapped == '.' && (builder.Length == 0 || builder[builder.Length - 1] == '.'))
            {
                continue;
            }
            builder.Append(mapped);
        }
        var suggestion = builder.ToString().Trim('.', '-');
        return ContractRules.IsValidServiceName(suggestion) ? suggestion : ContractRules.GetContractName(contract.Name).ToLowerInvariant();
    }

    private static string Printable(string value) =>
        value.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
}
