using System;
using System.Collections.Generic;
using System.Linq;
using MicroGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The declaration gate checked against the truth: after each of a long series of random edits
/// (body, comment, directive and declaration edits mixed), the output of one driver kept across
/// the edits must equal that of a fresh driver on a fresh compilation of the same text, as the IDE
/// and the compiler server, which both keep generator state, rely on.
/// </summary>
public sealed class DeclarationGateRandomEditTests
{
    // The same three files as DeclarationGateTests: a contract, its messages, an unrelated class.
    private const string Contract = DeclarationGateTests.Contract;
    private const string Messages = DeclarationGateTests.Messages;
    private const string Unrelated = DeclarationGateTests.Unrelated;

    // Each edit toggles between its two texts, so any series of them stays applicable; the flag says
    // whether it changes a declaration (which the gate must never let through as Unchanged).
    private static readonly (int File, string A, string B, bool ChangesDeclarations)[] s_toggles =
    [
        (2, "return a + b + _offset;", "return a - b + _offset;", false),
        (2, "public int Add(int a, int b)", "public int Twice(int x) => 2 * x;\n\n    public int Add(int a, int b)", true),
        (1, "public sealed record HelloReply(string Message);", "public sealed record HelloReply(string Message, int Count);", true),
        (1, "namespace Demo;", "#nullable disable\nnamespace Demo;", true),
        (1, "High = 2", "High = 3", true),
        (1, "public sealed record HelloRequest", "\n\n// the request\npublic sealed record HelloRequest", false),
        (0, "[MicroService(\"greeter\")]", "[MicroService(\"greeter2\")]", true),
        (0, "Task.FromResult(\"a greeter\")", "Task.FromResult(\"the greeter\")", false),
        (0, "Task<string> Describe() => Task.FromResult(", "Task<string> Describe();\n    Task<string> Unused() => Task.FromResult(", true),
        (0, "Task<HelloReply> SayHello(HelloRequest request);", "Task<HelloReply> SayHello(HelloRequest request);\n    Task Ping();", true),
        (2, "namespace Other;", "namespace Other;\n\npublic sealed record HelloReply(string Text);", true),
        (2, "private readonly int _offset = 1;", "private readonly int _offset = 5;", false),
        (0, "=> x * 2 + s_calls;", "=> x * 3 + s_calls;", false),
        (0, "using MicroGen;", "using MicroGen;\n// using System;", false),
    ];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Gate_RandomEditSeries_IncrementalOutputAlwaysEqualsAFreshRun(int seed)
    {
        var random = new Random(seed);
        var texts = new[] { Contract, Messages, Unrelated };
        var compilation = GeneratorHarness.CreateCompilation(texts);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var gated = 0;
        var parsed = 0;

        for (var step = 0; step < 60; step++)
        {
            var (file, a, b, declares) = s_toggles[random.Next(s_toggles.Length)];
            var text = texts[file];
            var (find, replace) = text.Contains(b, StringComparison.Ordinal) ? (b, a) : (a, b);
            var at = text.IndexOf(find, StringComparison.Ordinal);
            Assert.That(at, Is.GreaterThanOrEqualTo(0), $"step {step}: '{find}' not found");
            texts[file] = text[..at] + replace + text[(at + find.Length)..];

            // As the IDE does: the edited tree re-parsed incrementally from the old one, the others kept.
            var tree = compilation.SyntaxTrees.ElementAt(file);
            var edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, find.Length), replace)));
            compilation = compilation.ReplaceSyntaxTree(tree, edited);
            driver = driver.RunGenerators(compilation);
            var result = driver.GetRunResult().Results.Single();

            var fresh = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.CreateCompilation(texts)).GetRunResult().Results.Single();
            Assert.That(result.Exception, Is.Null, $"step {step}");
            Assert.That(Sources(result), Is.EqualTo(Sources(fresh)), $"step {step}: after '{find}' -> '{replace}' in file {file}");

            var declarations = result.TrackedSteps[TrackingNames.Declarations].SelectMany(static s => s.Outputs).Single().Reason;
            if (declarations == IncrementalStepRunReason.Unchanged)
            {
                gated++;
                Assert.That(declares, Is.False, $"step {step}: a declaration edit was gated away ('{find}' -> '{replace}')");
            }
            else
            {
                parsed++;
            }
        }

        // The series must exercise both sides of the gate.
        Assert.That(gated, Is.GreaterThan(5));
        Assert.That(parsed, Is.GreaterThan(5));
    }

    private static Dictionary<string, string> Sources(GeneratorRunResult result) =>
        result.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());
}
