using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using MicroGen.Generator;

namespace MicroGen.Analyzers.Helpers;

/// <summary>
/// The MicroGen symbols the analyzers key on, resolved once per compilation (at compilation start).
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation, INamedTypeSymbol microService)
    {
        Compilation = compilation;
        MicroService = microService;
        MicroEvent = compilation.GetTypeByMetadataName(ContractRules.MicroEventAttribute);
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        var pubSub = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        foreach (var name in new[] { "MicroGen.Client.IClient", "MicroGen.Service.IService", "MicroGen.Server.IServer" })
        {
            if (compilation.GetTypeByMetadataName(name) is { } type)
            {
                pubSub.Add(type);
            }
        }
        PubSubReceivers = pubSub.ToImmutable();
    }

    /// <summary>The compilation the symbols come from.</summary>
    public Compilation Compilation { get; }

    /// <summary><c>MicroGen.MicroServiceAttribute</c>.</summary>
    public INamedTypeSymbol MicroService { get; }

    /// <summary><c>MicroGen.MicroEventAttribute</c>, when present.</summary>
    public INamedTypeSymbol? MicroEvent { get; }

    /// <summary><c>System.Threading.CancellationToken</c>, when present.</summary>
    public INamedTypeSymbol? CancellationToken { get; }

    /// <summary>The types whose <c>PublishAsync</c>/<c>Subscribe</c> methods are MicroGen's pub/sub API: <c>IClient</c>, <c>IService</c>, <c>IServer</c>.</summary>
    public ImmutableArray<INamedTypeSymbol> PubSubReceivers { get; }

    /// <summary>Resolves the symbols; false when the compilation does not reference MicroGen.</summary>
    public static bool TryCreate(Compilation compilation, out KnownSymbols symbols)
    {
        if (compilation.GetTypeByMetadataName(ContractRules.MicroServiceAttribute) is { } microService)
        {
            symbols = new KnownSymbols(compilation, microService);
            return true;
        }
        symbols = null!;
        return false;
    }

    /// <summary>The <c>[MicroService]</c> attribute of <paramref name="type"/> when it is a contract interface.</summary>
    public AttributeData? GetMicroServiceAttribute(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Interface)
        {
            return null;
        }
        foreach (var attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, MicroService))
            {
                return attribute;
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="type"/> is marked <c>[MicroEvent]</c>.</summary>
    public bool IsMicroEvent(ITypeSymbol type)
    {
        if (MicroEvent is null)
        {
            return false;
        }
        foreach (var attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, MicroEvent))
            {
                return true;
            }
        }
        return false;
    }
}
