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
        Client = compilation.GetTypeByMetadataName("MicroGen.Client.IClient");
        Service = compilation.GetTypeByMetadataName("MicroGen.Service.IService");
        HostingBuilder = compilation.GetTypeByMetadataName("MicroGen.Hosting.MicroGenBuilder");
    }

    /// <summary>The compilation the symbols come from.</summary>
    public Compilation Compilation { get; }

    /// <summary><c>MicroGen.MicroServiceAttribute</c>.</summary>
    public INamedTypeSymbol MicroService { get; }

    /// <summary><c>MicroGen.MicroEventAttribute</c>, when present.</summary>
    public INamedTypeSymbol? MicroEvent { get; }

    /// <summary><c>System.Threading.CancellationToken</c>, when present.</summary>
    public INamedTypeSymbol? CancellationToken { get; }

    /// <summary><c>MicroGen.Client.IClient</c>, whose <c>PublishAsync&lt;TEvent&gt;</c> publishes.</summary>
    public INamedTypeSymbol? Client { get; }

    /// <summary><c>MicroGen.Service.IService</c>, whose <c>Subscribe&lt;TEvent&gt;</c> subscribes.</summary>
    public INamedTypeSymbol? Service { get; }

    /// <summary><c>MicroGen.Hosting.MicroGenBuilder</c>, whose <c>AddSubscriber&lt;TEvent&gt;</c> subscribes, when MicroGen.Hosting is referenced.</summary>
    public INamedTypeSymbol? HostingBuilder { get; }

    /// <summary>
    /// Whether the compilation has any of the typed pub/sub methods the analyzers check
    /// (<c>IBroker</c> carries raw bytes, so it has no event type to check).
    /// </summary>
    public bool HasPubSub => Client is not null || Service is not null || HostingBuilder is not null;

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
