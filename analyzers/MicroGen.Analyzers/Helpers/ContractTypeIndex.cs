using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using MicroGen.Generator;

namespace MicroGen.Analyzers.Helpers;

/// <summary>
/// The types the generated codecs carry because a <c>[MicroService]</c> contract of this
/// compilation reaches them (parameters, results, their members and elements), by identity.
/// Built lazily, once per compilation, and shared by the analyzers that need it.
/// </summary>
internal sealed class ContractTypeIndex
{
    private static readonly ConditionalWeakTable<Compilation, ContractTypeIndex> s_cache = new();

    private readonly HashSet<string> _types;

    private ContractTypeIndex(HashSet<string> types) => _types = types;

    /// <summary>The index of <paramref name="symbols"/>' compilation.</summary>
    public static ContractTypeIndex Get(KnownSymbols symbols, CancellationToken cancellationToken) =>
        s_cache.GetValue(symbols.Compilation, _ => Build(symbols, cancellationToken));

    /// <summary>Whether <paramref name="type"/> is reachable from a contract.</summary>
    public bool Contains(ITypeSymbol type) => _types.Contains(ContractRules.CarryChecker.Identity(type));

    private static ContractTypeIndex Build(KnownSymbols symbols, CancellationToken cancellationToken)
    {
        var types = new HashSet<string>(System.StringComparer.Ordinal);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(symbols.Compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = pending.Pop();
            foreach (var member in current.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    pending.Push(ns);
                }
                else if (member is INamedTypeSymbol type)
                {
                    pending.Push(type);
                    if (symbols.GetMicroServiceAttribute(type) is not null)
                    {
                        AddContract(type, symbols.Compilation, types, cancellationToken);
                    }
                }
            }
        }
        return new ContractTypeIndex(types);
    }

    private static void AddContract(INamedTypeSymbol contract, Compilation compilation, HashSet<string> types, CancellationToken cancellationToken)
    {
        var checker = new ContractRules.CarryChecker(compilation, cancellationToken);
        foreach (var member in ContractMembers.GetEndpointCandidates(contract))
        {
            if (member is not IMethodSymbol method)
            {
                continue;
            }
            foreach (var parameter in method.Parameters)
            {
                checker.Check(PayloadOf(parameter.Type));
            }
            if (ContractRules.TryGetReturnShape(method.ReturnType, out _, out var result) && result is not null)
            {
                checker.Check(result);
            }
            else if (ContractRules.IsAsyncEnumerable(method.ReturnType))
            {
                checker.Check(PayloadOf(method.ReturnType));
            }
        }
        types.UnionWith(checker.CarriedTypes);
    }

    /// <summary>The element type of an <c>IAsyncEnumerable&lt;T&gt;</c>, else the type itself.</summary>
    public static ITypeSymbol PayloadOf(ITypeSymbol type) =>
        ContractRules.IsAsyncEnumerable(type) && type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0] : type;
}
