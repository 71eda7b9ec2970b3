using Microsoft.CodeAnalysis;

namespace MicroGen.Generator;

/// <summary>Emits client proxies, server dispatchers and codec routines for [MicroService] contracts.</summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class MicroServiceGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
