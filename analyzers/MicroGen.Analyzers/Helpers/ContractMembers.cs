using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace MicroGen.Analyzers.Helpers;

/// <summary>How the analyzers walk a contract and where they put their squiggles.</summary>
internal static class ContractMembers
{
    /// <summary>A member name for messages: <c>IGreeter.SayHello</c>.</summary>
    public static string Name(ISymbol symbol) =>
        symbol.ContainingType is { } type ? type.Name + "." + symbol.Name : symbol.Name;

    /// <summary>A type name for messages, as C# writes it: <c>List&lt;int&gt;</c>, <c>string?</c>.</summary>
    public static string TypeName(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    /// <summary>
    /// The members the generator considers, in its order: the contract's own, then each base
    /// interface's; static members, default implementations and nested types are not endpoints.
    /// </summary>
    public static IEnumerable<ISymbol> GetEndpointCandidates(INamedTypeSymbol contract)
    {
        foreach (var declaringInterface in new[] { contract }.Concat(contract.AllInterfaces))
        {
            foreach (var member in declaringInterface.GetMembers())
            {
                if (member.IsStatic || !member.IsAbstract || member is INamedTypeSymbol or IMethodSymbol { AssociatedSymbol: not null })
                {
                    // Accessors are reported through their property or event.
                    continue;
                }
                yield return member;
            }
        }
    }

    /// <summary>Whether <paramref name="member"/> is declared on the contract itself (not inherited).</summary>
    public static bool IsOwn(ISymbol member, INamedTypeSymbol contract) =>
        SymbolEqualityComparer.Default.Equals(member.ContainingType, contract);

    /// <summary>The syntax of a member declared in source, or null.</summary>
    public static SyntaxNode? GetSyntax(ISymbol symbol, CancellationToken cancellationToken) =>
        symbol.DeclaringSyntaxReferences.Length > 0 ? symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) : null;

    /// <summary>
    /// Where to report a problem with <paramref name="member"/> of <paramref name="contract"/>:
    /// <paramref name="precise"/> applied to the member's syntax when the contract declares it;
    /// for an inherited member, the base-list entry of the contract that brings it in.
    /// </summary>
    public static Location Locate<TSyntax>(ISymbol member, INamedTypeSymbol contract, System.Func<TSyntax, Location?> precise, CancellationToken cancellationToken)
        where TSyntax : SyntaxNode
    {
        if (IsOwn(member, contract))
        {
            if (GetSyntax(member, cancellationToken) is TSyntax syntax && precise(syntax) is { } location)
            {
                return location;
            }
            return member.Locations.FirstOrDefault() ?? Location.None;
        }
        return LocateBase(member.ContainingType, contract, cancellationToken);
    }

    /// <summary>The base-list entry of <paramref name="contract"/> through which it inherits <paramref name="baseInterface"/>.</summary>
    public static Location LocateBase(INamedTypeSymbol baseInterface, INamedTypeSymbol contract, CancellationToken cancellationToken)
    {
        if (GetSyntax(contract, cancellationToken) is InterfaceDeclarationSyntax declaration && declaration.BaseList is { } baseList)
        {
            foreach (var direct in contract.Interfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(direct, baseInterface) || direct.AllInterfaces.Contains(baseInterface, SymbolEqualityComparer.Default))
                {
                    var index = contract.Interfaces.IndexOf(direct);
                    if (index < baseList.Types.Count)
                    {
                        return baseList.Types[index].GetLocation();
                    }
                }
            }
        }
        return contract.Locations.FirstOrDefault() ?? Location.None;
    }

    /// <summary>A location spanning tokens <paramref name="first"/> to <paramref name="last"/>.</summary>
    public static Location Span(SyntaxToken first, SyntaxToken last) =>
        Location.Create(first.SyntaxTree!, TextSpan.FromBounds(first.SpanStart, last.Span.End));
}
