using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using MicroGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests.Infrastructure;

/// <summary>Runs the MicroGen generator over sources, the way the compiler does.</summary>
internal static class GeneratorRunner
{
    /// <summary>The hint names of the files every run shares (codecs and registration).</summary>
    public static readonly string[] SharedHintNames = ["MicroGen.Codecs.g.cs", "MicroGen.Registration.g.cs"];

    /// <summary>The parse options of every test source.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>A compilation of <paramref name="sources"/> with the test references and options.</summary>
    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Contracts",
            sources.Select(static (s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Contract{i}.cs")),
            TestReferences.All,
            TestReferences.Options(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)));

    /// <summary>A driver for the generator.</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new MicroServiceGenerator().AsSourceGenerator()], parseOptions: ParseOptions);

    /// <summary>Runs the generator over <paramref name="source"/> and asserts that nothing broke.</summary>
    public static GeneratorRunResult RunAndAssertSound(string source, bool compileGenerated = true)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(source), out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        AssertSound(result, output, compileGenerated);
        return result;
    }

    /// <summary>
    /// Asserts that the generator threw nothing, that every generated file parses, and (when
    /// <paramref name="compileGenerated"/>) that the compilation has no error inside a generated file.
    /// </summary>
    public static void AssertSound(GeneratorRunResult result, Compilation output, bool compileGenerated)
    {
        Assert.That(result.Exception, Is.Null, "the generator threw");
        foreach (var generated in result.GeneratedSources)
        {
            var parseErrors = generated.SyntaxTree.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.That(parseErrors, Is.Empty, $"{generated.HintName} does not parse");
        }
        if (compileGenerated)
        {
            var generatedTrees = result.GeneratedSources.Select(static g => g.SyntaxTree).ToImmutableHashSet();
            var errors = output.GetDiagnostics()
                .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
                .Select(static d => d.ToString())
                .ToList();
            Assert.That(errors, Is.Empty, "errors in generated code");
        }
    }

    /// <summary>The generated contract files (every file but the shared ones).</summary>
    public static IEnumerable<string> ContractHintNames(GeneratorRunResult result) =>
        result.GeneratedSources.Select(static g => g.HintName).Where(static h => !SharedHintNames.Contains(h));
}
