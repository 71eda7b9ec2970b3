using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace MicroGen.Analyzers.Tests.Infrastructure;

/// <summary>Runs an analyzer (and optionally a code fix) over test sources, with MicroGen referenced.</summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A diagnostic expected at markup <c>{|ID:…|}</c> or <c>[|…|]</c>.</summary>
    public static DiagnosticResult Diagnostic(string id) => new(id, DiagnosticSeverity.Error);

    /// <summary>Asserts that <paramref name="source"/> produces exactly the marked diagnostics (and <paramref name="expected"/>).</summary>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        TestReferences.Configure(test);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Asserts the diagnostics of <paramref name="source"/>, then that <typeparamref name="TFix"/> (one by one and Fix All) gives <paramref name="fixedSource"/>.</summary>
    public static Task CodeFixAsync<TFix>(string source, string fixedSource, int? iterations = null)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource };
        TestReferences.Configure(test);
        if (iterations is { } n)
        {
            test.NumberOfIncrementalIterations = n;
            test.NumberOfFixAllIterations = 1;
        }
        return test.RunAsync(CancellationToken.None);
    }
}

/// <summary>
/// The references every test compilation gets: the .NET 10 reference assemblies plus MicroGen,
/// MicroGen.Hosting (with the dependency-injection abstractions its API names), MessagePack and Google.Protobuf.
/// </summary>
/// <remarks>
/// MicroGen.dll targets net10.0 (System.Runtime 10.0.0.0), so <c>ReferenceAssemblies.Net.Net80</c>
/// makes every test compilation fail with CS1705; the net10.0 reference pack is not served by the
/// package feed here, so the SDK's own copy (packs/Microsoft.NETCore.App.Ref) is used, falling back
/// to the running runtime's assemblies.
/// </remarks>
internal static class TestReferences
{
    /// <summary>The metadata references of the MicroGen runtime, its hosting package and its codecs.</summary>
    public static readonly MetadataReference[] MicroGen =
    [
        MetadataReference.CreateFromFile(typeof(global::MicroGen.MicroServiceAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::MicroGen.Hosting.MicroGenBuilder).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::MessagePack.MessagePackSerializer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::Google.Protobuf.IMessage).Assembly.Location),
    ];

    /// <summary>The .NET 10 framework references.</summary>
    public static readonly MetadataReference[] Framework = LoadFramework();

    /// <summary>Every reference a test compilation needs.</summary>
    public static IEnumerable<MetadataReference> All => Framework.Concat(MicroGen);

    /// <summary>The compilation options of every test compilation: nullable enabled, unsafe allowed (for the pointer cases).</summary>
    public static CSharpCompilationOptions Options(CSharpCompilationOptions options) =>
        options.WithNullableContextOptions(NullableContextOptions.Enable).WithAllowUnsafe(true);

    /// <summary>Configures <paramref name="test"/>: references and compilation options.</summary>
    public static void Configure<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        Configure(test.TestState);
        test.SolutionTransforms.Add(static (solution, projectId) =>
            solution.WithProjectCompilationOptions(projectId, Options((CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!)));
    }

    /// <summary>Adds the references to <paramref name="state"/>.</summary>
    public static void Configure(SolutionState state)
    {
        state.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        state.AdditionalReferences.AddRange(All);
    }

    private static MetadataReference[] LoadFramework()
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var refDirectory = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Select(static d => Path.Combine(d, "ref", "net10.0"))
                .Where(Directory.Exists)
                .OrderByDescending(static d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        var files = refDirectory is not null
            ? Directory.GetFiles(refDirectory, "*.dll")
            : ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(static f => Path.GetDirectoryName(f) == Path.GetDirectoryName(typeof(object).Assembly.Location))
                .ToArray();
        return files.Select(static f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToArray();
    }
}

/// <summary>Runs every MicroGen analyzer at once, so a case also proves that no other analyzer reports anything.</summary>
internal sealed class AllAnalyzersTest : CSharpAnalyzerTest<ContractMethodAnalyzer, DefaultVerifier>
{
    /// <summary>Every analyzer MicroGen ships.</summary>
    public static DiagnosticAnalyzer[] Analyzers() =>
    [
        new ContractMethodAnalyzer(),
        new EndpointNameAnalyzer(),
        new PayloadTypeAnalyzer(),
        new ServiceAttributeAnalyzer(),
        new PubSubAnalyzer(),
    ];

    /// <summary>Asserts that <paramref name="source"/> produces exactly its marked diagnostics.</summary>
    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AllAnalyzersTest { TestCode = source };
        TestReferences.Configure(test);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <inheritdoc/>
    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Analyzers();
}
