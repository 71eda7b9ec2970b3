using System.Linq;
using MicroGen.Generator.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The generator's full output for representative contracts, compared with the committed
/// <c>Snapshots/*.verified.cs</c> files (one per generated file, named <c>{case}.{hint name}</c>).
/// </summary>
public sealed class SnapshotTests
{
    [TestCaseSource(typeof(SnapshotCases), nameof(SnapshotCases.All))]
    public void Generator_Contract_MatchesSnapshots(string caseName, string source)
    {
        var result = GeneratorHarness.Run(source);

        Assert.That(result.GeneratorDiagnostics, Is.Empty, "the generator reported diagnostics or failed");
        var generated = result.Sources.OrderBy(static s => s.Key, System.StringComparer.Ordinal).ToList();
        foreach (var (hintName, text) in generated)
        {
            SnapshotVerifier.Verify(SnapshotVerifier.NameFor(caseName, hintName), text);
        }
        if (!SnapshotVerifier.Accepting)
        {
            var names = generated.Select(s => SnapshotVerifier.NameFor(caseName, s.Key)).ToList();
            Assert.That(names, Is.EquivalentTo(SnapshotVerifier.VerifiedNames(caseName)), "generated files and committed snapshots differ");
        }
    }

    [TestCaseSource(typeof(SnapshotCases), nameof(SnapshotCases.All))]
    public void GeneratedCode_Contract_CompilesWithoutWarnings(string caseName, string source)
    {
        var result = GeneratorHarness.Run(source);

        Assert.That(result.GeneratorDiagnostics, Is.Empty, "the generator reported diagnostics or failed");
        Assert.That(result.Sources, Is.Not.Empty, $"{caseName}: nothing was generated");
        var problems = result.CompilationProblems;
        Assert.That(problems, Is.Empty, string.Join("\n", problems.Select(static d => d.ToString())));
    }

    [Test]
    public void HintNames_NamespaceGlobalAndNested_FollowConvention()
    {
        Assert.That(GeneratorHarness.Run(SnapshotCases.BasicGreeter).Sources.Keys, Does.Contain("Demo.IGreeter.g.cs"));
        Assert.That(GeneratorHarness.Run(SnapshotCases.GlobalNamespace).Sources.Keys, Does.Contain("IGlobal.g.cs"));
        Assert.That(GeneratorHarness.Run(SnapshotCases.NestedInterface).Sources.Keys,
            Is.SupersetOf(new[] { "Demo.Nested.Outer.Middle.ICalculator.g.cs", "Demo.Nested.Hidden.IHiddenService.g.cs", "MicroGen.Codecs.g.cs", "MicroGen.Registration.g.cs" }));
    }

    [Test]
    public void SnapshotDiff_ChangedLine_ShowsBothSides()
    {
        var diff = SnapshotVerifier.Diff("a\nb\nc\n", "a\nB\nc\n");

        Assert.That(diff, Does.Contain("-     2 | b"));
        Assert.That(diff, Does.Contain("+     2 | B"));
    }
}
