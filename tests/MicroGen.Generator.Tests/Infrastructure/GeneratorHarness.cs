using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MicroGen.Generator.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="MicroServiceGenerator"/> over in-memory sources with <see cref="CSharpGeneratorDriver"/>,
/// against the running runtime's assemblies plus MicroGen, MessagePack and Google.Protobuf.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary>
    /// Compiles as a user project would: nullable enabled, every warning an error, XML docs checked.
    /// </summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "SnapshotAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Input{i}.cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                warningLevel: 9999,
                // The .NET SDK passes /nowarn:1701,1702 (assembly unification notices) to every build.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new MicroServiceGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once over <paramref name="sources"/>.</summary>
    public static GeneratorResult Run(params string[] sources)
    {
        var compilation = CreateCompilation(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorResult(compilation, output, generatorDiagnostics, driver.GetRunResult());
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(static p => !Path.GetFileName(p).StartsWith("MicroGen.Generator", StringComparison.Ordinal))
            .Concat(
            [
                typeof(ServiceContracts).Assembly.Location,
                typeof(MessagePack.MessagePackSerializer).Assembly.Location,
                typeof(MessagePack.KeyAttribute).Assembly.Location,
                typeof(Google.Protobuf.IMessage).Assembly.Location,
            ]);
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            byName.TryAdd(Path.GetFileName(path), path);
        }
        return [.. byName.Values.OrderBy(static p => p, StringComparer.Ordinal).Select(static p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorResult(
    CSharpCompilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    GeneratorDriverRunResult RunResult)
{
    /// <summary>The generated sources by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources =>
        RunResult.Results.SelectMany(static r => r.GeneratedSources).ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());

    /// <summary>
    /// Warnings and errors of the compiled input plus generated code, except missing XML docs in the
    /// test's own input (the generated code must document what it makes public).
    /// </summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics()
            .Where(static d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(static d => !(d.Id == "CS1591" && d.Location.SourceTree?.FilePath.StartsWith("Input", StringComparison.Ordinal) == true))
            .ToList();
}
