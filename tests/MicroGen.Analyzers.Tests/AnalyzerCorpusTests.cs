using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MicroGen.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

/// <summary>
/// Every diagnostic's positive cases (markup on the exact token, and nothing else reported by any
/// MicroGen analyzer), its near misses, and the valid contract, which produce no diagnostic at all.
/// </summary>
public sealed class AnalyzerCorpusTests
{
    public static IEnumerable<ContractCase> BadCases() => Contracts.Bad();

    public static IEnumerable<ContractCase> NearMisses() => Contracts.NearMisses();

    [TestCaseSource(nameof(BadCases))]
    public Task Analyzers_BadContract_ReportExactlyTheMarkedDiagnostics(ContractCase contractCase) =>
        AllAnalyzersTest.VerifyAsync(contractCase.Source);

    [TestCaseSource(nameof(NearMisses))]
    public Task Analyzers_NearMiss_ReportNothing(ContractCase contractCase) =>
        AllAnalyzersTest.VerifyAsync(contractCase.Source);

    [Test]
    public Task Analyzers_ValidContract_ReportNothing() =>
        AllAnalyzersTest.VerifyAsync(Contracts.Valid);

    [Test]
    public void Catalog_EveryDescriptor_HasACaseAPageAndAHelpLink()
    {
        var descriptors = AllAnalyzersTest.Analyzers().SelectMany(static a => a.SupportedDiagnostics).ToList();
        var covered = Contracts.Bad().Select(static c => c.Name.Substring(0, 6)).ToHashSet();

        Assert.Multiple(() =>
        {
            Assert.That(descriptors.Select(static d => d.Id), Is.Unique);
            Assert.That(descriptors.Select(static d => d.Id), Is.EquivalentTo(Enumerable.Range(1, descriptors.Count).Select(static i => $"MG{i:D4}")));
            foreach (var descriptor in descriptors)
            {
                Assert.That(covered, Does.Contain(descriptor.Id), $"{descriptor.Id} has no positive case");
                Assert.That(descriptor.HelpLinkUri, Is.EqualTo($"https://github.com/microgen/microgen/blob/main/docs/diagnostics/{descriptor.Id}.md"));
                Assert.That(System.IO.File.Exists(System.IO.Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", descriptor.Id + ".md")), $"{descriptor.Id} has no docs page");
            }
        });
    }

    [Test]
    public void Catalog_Severities_FollowWhatHappensAtRunTime()
    {
        var severities = AllAnalyzersTest.Analyzers().SelectMany(static a => a.SupportedDiagnostics).ToDictionary(static d => d.Id, static d => d.DefaultSeverity);

        Assert.Multiple(() =>
        {
            Assert.That(severities["MG0006"], Is.EqualTo(DiagnosticSeverity.Info));
            Assert.That(severities["MG0014"], Is.EqualTo(DiagnosticSeverity.Info));
            Assert.That(new[] { "MG0008", "MG0012", "MG0015", "MG0020", "MG0021" }.Select(id => severities[id]), Is.All.EqualTo(DiagnosticSeverity.Warning));
            Assert.That(severities.Where(static p => p.Key is not ("MG0006" or "MG0014" or "MG0008" or "MG0012" or "MG0015" or "MG0020" or "MG0021")).Select(static p => p.Value), Is.All.EqualTo(DiagnosticSeverity.Error));
        });
    }
}
