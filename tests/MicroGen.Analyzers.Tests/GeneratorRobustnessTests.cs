using System.Collections.Generic;
using System.Linq;
using MicroGen.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

/// <summary>
/// The generator against what the analyzers see: every bad contract of the analyzer corpus is
/// skipped (errors) or generated (warnings, info) without an exception or broken output, every near
/// miss is generated, and code
/// as it is typed, cut at every token, never breaks it.
/// </summary>
public sealed class GeneratorRobustnessTests
{
    /// <summary>A small contract file, as a newcomer would type it.</summary>
    private const string Typed = Contracts.Usings + """
        namespace Demo;

        public sealed record HelloRequest { public required string Name { get; init; } }

        public sealed record HelloReply(string Message, int Greeting);

        public enum Mood { Happy, Sad }

        [MicroService("greeter", Version = "1.0.0")]
        public interface IGreeter
        {
            Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default);

            [Endpoint("Hi"), Idempotent]
            ValueTask<List<Mood>> Moods(string name, int count, CancellationToken cancellationToken = default);
        }
        """;

    public static IEnumerable<ContractCase> BadCases() => Contracts.Bad();

    public static IEnumerable<ContractCase> NearMisses() => Contracts.NearMisses();

    [TestCaseSource(nameof(BadCases))]
    [TestCaseSource(nameof(NearMisses))]
    public void Generator_AnalyzerCorpusCase_FollowsTheAnalyzersWithoutBreaking(ContractCase contractCase)
    {
        // Act
        var result = GeneratorRunner.RunAndAssertSound(contractCase.PlainSource);

        // Assert
        var contracts = GeneratorRunner.ContractHintNames(result).ToList();
        switch (contractCase.Generator)
        {
            case GeneratorExpectation.Skipped:
            case GeneratorExpectation.NoContract:
                Assert.That(contracts, Is.Empty, "a contract the analyzers reject must be skipped");
                break;
            case GeneratorExpectation.Generated:
                Assert.That(contracts, Is.Not.Empty, "a contract the analyzers accept must be generated");
                break;
        }
    }

    [Test]
    public void Generator_ValidContract_GeneratesCodeThatCompilesWithTheUserCode()
    {
        // Act
        var driver = GeneratorRunner.CreateDriver().RunGeneratorsAndUpdateCompilation(GeneratorRunner.Compile(Contracts.Valid), out var output, out _);
        var result = driver.GetRunResult().Results.Single();

        // Assert
        GeneratorRunner.AssertSound(result, output, compileGenerated: true);
        Assert.That(GeneratorRunner.ContractHintNames(result), Is.EqualTo(new[] { "IShop.g.cs" }));
        Assert.That(output.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
    }

    [Test]
    public void Generator_EveryTokenPrefixOfAContract_NeverThrowsOrEmitsUnparsableCode()
    {
        // Arrange: the driver is reused, as the IDE does while you type.
        var tokens = CSharpSyntaxTree.ParseText(Typed, GeneratorRunner.ParseOptions).GetRoot().DescendantTokens().ToList();
        var driver = GeneratorRunner.CreateDriver();
        var generatedSomething = 0;

        foreach (var token in tokens)
        {
            // Act
            var prefix = Typed.Substring(0, token.Span.End);
            driver = driver.RunGenerators(GeneratorRunner.Compile(prefix));
            var result = driver.GetRunResult().Results.Single();

            // Assert
            Assert.That(result.Exception, Is.Null, $"the generator threw on the prefix ending at '{token.Text}' ({token.Span.End})");
            foreach (var generated in result.GeneratedSources)
            {
                Assert.That(
                    generated.SyntaxTree.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error),
                    Is.Empty,
                    $"{generated.HintName} does not parse for the prefix ending at {token.Span.End}");
            }
            generatedSomething += GeneratorRunner.ContractHintNames(result).Any() ? 1 : 0;
        }

        // The full file is generated, so the walk did reach contracts the generator accepts.
        TestContext.Out.WriteLine($"{tokens.Count} prefixes, {generatedSomething} with a generated contract");
        Assert.That(generatedSomething, Is.GreaterThan(0));
    }
}
