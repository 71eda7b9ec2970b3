using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using MicroGen.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

/// <summary>The analyzers stay cheap: their time over a 500-contract compilation is printed (no timing assertion).</summary>
[Category("Performance")]
public sealed class AnalyzerPerformanceTests
{
    private const int ContractCount = 500;
    private const int ContractsPerFile = 10;

    [Test]
    public async Task Analyzers_FiveHundredContracts_ReportOnlyTheMissingTokensAndPrintTheirTime()
    {
        // Arrange: 500 contracts in 50 files, each with a publisher and a subscriber on its own topic;
        // every tenth contract has one method without a CancellationToken.
        var sources = Enumerable.Range(0, ContractCount / ContractsPerFile)
            .Select(static file => Contracts.Usings + string.Concat(Enumerable.Range(file * ContractsPerFile, ContractsPerFile).Select(Contract)))
            .ToArray();
        var compilation = GeneratorRunner.Compile(sources);
        Assert.That(compilation.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        var analyzers = AllAnalyzersTest.Analyzers().ToImmutableArray();
        _ = compilation.GetDiagnostics(); // bind everything first, so the analyzers are timed, not the compiler

        // Act: all analyzers together, as the IDE runs them, then each alone on one thread for a clean figure.
        var stopwatch = Stopwatch.StartNew();
        var together = compilation.WithAnalyzers(analyzers, Options(concurrent: true));
        var diagnostics = await together.GetAnalyzerDiagnosticsAsync();
        stopwatch.Stop();
        TestContext.Out.WriteLine($"{ContractCount} contracts in {sources.Length} files: all analyzers, concurrent: {stopwatch.ElapsedMilliseconds} ms wall");
        foreach (var analyzer in analyzers)
        {
            var fresh = GeneratorRunner.Compile(sources);
            _ = fresh.GetDiagnostics();
            var alone = Stopwatch.StartNew();
            var single = fresh.WithAnalyzers(ImmutableArray.Create(analyzer), Options(concurrent: false));
            _ = await single.GetAnalyzerDiagnosticsAsync();
            alone.Stop();
            var telemetry = await single.GetAnalyzerTelemetryInfoAsync(analyzer, default);
            TestContext.Out.WriteLine($"  {analyzer.GetType().Name,-26} alone: {alone.ElapsedMilliseconds,6} ms wall, {telemetry.ExecutionTime.TotalMilliseconds,8:F1} ms in actions");
        }

        // Assert
        Assert.That(diagnostics.Select(static d => d.Id), Is.All.EqualTo("MG0006"));
        Assert.That(diagnostics, Has.Length.EqualTo(ContractCount / 10));
    }

    private static CompilationWithAnalyzersOptions Options(bool concurrent) => new(
        new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
        concurrentAnalysis: concurrent, logAnalyzerExecutionTime: true);

    private static string Contract(int i)
    {
        var n = i.ToString(CultureInfo.InvariantCulture);
        var token = i % 10 == 0 ? string.Empty : ", CancellationToken cancellationToken = default";
        return new StringBuilder()
            .AppendLine($"public sealed record Request{n}(string Name, int Count, List<string> Tags);")
            .AppendLine($"public sealed record Reply{n}(Guid Id, DateTimeOffset At, Dictionary<string, int> Totals, Nested{n} Nested);")
            .AppendLine($"public sealed class Nested{n} {{ public int[] Values {{ get; set; }} = []; public decimal? Price {{ get; set; }} }}")
            .AppendLine($"[MicroService(\"svc-{n}\", Version = \"1.0.{n}\")]")
            .AppendLine($"public interface IService{n}")
            .AppendLine("{")
            .AppendLine($"    Task<Reply{n}> Get(Request{n} request{token});")
            .AppendLine($"    ValueTask Put(string key, Request{n} value, CancellationToken cancellationToken = default);")
            .AppendLine($"    Task<List<Reply{n}>> List(int take, CancellationToken cancellationToken = default);")
            .AppendLine("}")
            .AppendLine($"public static class Publisher{n} {{ public static async Task Publish(IClient c) => await c.PublishAsync(\"svc.{n}\", new Reply{n}(Guid.Empty, default, new(), new())); }}")
            .AppendLine($"public static class Subscriber{n} {{ public static void Subscribe(IService s) => s.Subscribe<Reply{n}>(\"svc.{n}\", (e, ct) => Task.CompletedTask); }}")
            .ToString();
    }
}
