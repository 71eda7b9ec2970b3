using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using MicroGen.Generator;

namespace MicroGen.Analyzers.Helpers;

/// <summary>
/// What the analyzers need to know about the whole compilation: the types the generated codecs
/// carry because a <c>[MicroService]</c> contract reaches them (parameters, results, their members
/// and elements), and the contracts by service name. Built lazily, once per compilation, and shared
/// by the analyzers, so that their symbol actions can report cross-file facts on the symbol's own
/// file (which is what the IDE shows as you type).
/// </summary>
internal sealed class ContractTypeIndex
{
    // One lazily built index per compilation: ConditionalWeakTable may run a factory more than once
    // under contention, so the factory only creates the Lazy, which builds exactly once.
    private static readonly ConditionalWeakTable<Compilation, Lazy<ContractTypeIndex>> s_cache = new();

    private readonly HashSet<ITypeSymbol> _types;
    private readonly Dictionary<string, List<INamedTypeSymbol>> _services;

    private ContractTypeIndex(HashSet<ITypeSymbol> types, Dictionary<string, List<INamedTypeSymbol>> services)
    {
        _types = types;
        _services = services;
    }

    /// <summary>The index of <paramref name="symbols"/>' compilation.</summary>
    /// <remarks>
    /// Built without the caller's cancellation token: a cancelled build would be cached as a
    /// failure for every later caller, and the walk is bounded by the size of the compilation.
    /// </remarks>
    public static ContractTypeIndex Get(KnownSymbols symbols, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return s_cache.GetValue(symbols.Compilation, _ => new Lazy<ContractTypeIndex>(() => Build(symbols, CancellationToken.None), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>Whether <paramref name="type"/> is reachable from a contract.</summary>
    public bool Contains(ITypeSymbol type) => _types.Contains(type);

    /// <summary>The contracts of this compilation whose <c>[MicroService]</c> name is <paramref name="serviceName"/>, ordered by full name.</summary>
    public IReadOnlyList<INamedTypeSymbol> ContractsNamed(string serviceName) =>
        _services.TryGetValue(serviceName, out var contracts) ? contracts : (IReadOnlyList<INamedTypeSymbol>)Array.Empty<INamedTypeSymbol>();

    private static ContractTypeIndex Build(KnownSymbols symbols, CancellationToken cancellationToken)
    {
        // One checker for the whole compilation: a type shared by many contracts is walked once.
        var checker = new ContractRules.CarryChecker(symbols.Compilation, cancellationToken);
        var services = new Dictionary<string, List<INamedTypeSymbol>>(StringComparer.Ordinal);
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
                    if (symbols.GetMicroServiceAttribute(type) is { } attribute)
                    {
                        AddContract(type, checker);
                        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name && ContractRules.IsValidServiceName(name))
                        {
                            if (!services.TryGetValue(name, out var named))
                            {
                                services.Add(name, named = new List<INamedTypeSymbol>());
                            }
                            named.Add(type);
                        }
                    }
                }
            }
        }
        foreach (var named in services.Values)
        {
            named.Sort(static (a, b) => string.CompareOrdinal(a.ToDisplayString(), b.ToDisplayString()));
        }
        return new ContractTypeIndex(new HashSet<ITypeSymbol>(checker.CarriedTypes, SymbolEqualityComparer.Default), services);
    }

    private static void AddContract(INamedTypeSymbol contract, ContractRules.CarryChecker checker)
    {
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
    }

    /// <summary>The element type of an <c>IAsyncEnumerable&lt;T&gt;</c>, else the type itself.</summary>
    public static ITypeSymbol PayloadOf(ITypeSymbol type) =>
        ContractRules.IsAsyncEnumerable(type) && type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0] : type;
}
