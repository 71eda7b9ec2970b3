using System;
using System.Linq;
using System.Runtime.CompilerServices;
using MicroGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The declaration snapshot in front of the parse step: edits that cannot change a declaration
/// (method bodies, field initializers, comments) re-run nothing; every edit that can (signatures,
/// data members, constants, directives, parse options, references, compilation options) parses
/// again. Also the discovery of attributed types that replaced ForAttributeWithMetadataName.
/// </summary>
public sealed class DeclarationGateTests
{
    internal const string Contract = """
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        [MicroService("greeter")]
        public interface IGreeter
        {
            Task<HelloReply> SayHello(HelloRequest request);

            Task<string> Describe() => Task.FromResult("a greeter");
        }

        internal static class GreeterHelpers
        {
            private static int s_calls = 1;

            public static int Twice(int x) => x * 2 + s_calls;
        }
        """;

    internal const string Messages = """
        namespace Demo;

        public sealed record HelloRequest(string Name, Level Level);

        public sealed record HelloReply(string Message);

        public enum Level { Low = 1, High = 2 }
        """;

    internal const string Unrelated = """
        namespace Other;

        public sealed class Calculator
        {
            private readonly int _offset = 1;

            public int Add(int a, int b)
            {
                return a + b + _offset;
            }
        }
        """;

    private static readonly string[] s_allSteps =
        [TrackingNames.Declarations, TrackingNames.Parse, TrackingNames.Contract, TrackingNames.Shared];

    [TestCase(Unrelated, "return a + b + _offset;", "return a - b + _offset;", TestName = "Gate_MethodBodyEditedInUnrelatedFile_NothingRuns")]
    [TestCase(Unrelated, "private readonly int _offset = 1;", "private readonly int _offset = 42;", TestName = "Gate_FieldInitializerEdited_NothingRuns")]
    [TestCase(Contract, "=> x * 2 + s_calls;", "=> x * 3 + s_calls;", TestName = "Gate_ExpressionBodyEditedInContractFile_NothingRuns")]
    [TestCase(Contract, "Task.FromResult(\"a greeter\")", "Task.FromResult(\"the greeter\")", TestName = "Gate_DefaultInterfaceMethodBodyEdited_NothingRuns")]
    [TestCase(Contract, "[MicroService(\"greeter\")]", "// the greeting service\n[MicroService(\"greeter\")]", TestName = "Gate_CommentAddedAboveContract_NothingRuns")]
    [TestCase(Messages, "public sealed record HelloReply", "\n\n    public sealed record HelloReply", TestName = "Gate_WhitespaceAddedInMessageFile_NothingRuns")]
    public void Gate_EditThatCannotChangeADeclaration_EveryStepCachedAndOutputSame(string file, string before, string after)
    {
        var (compilation, driver, generated) = RunOnce();
        var edited = Edit(compilation, file, before, after);

        var run = driver.RunGenerators(edited).GetRunResult();
        var result = run.Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Unchanged));
        foreach (var step in s_allSteps.Skip(1))
        {
            Assert.That(Reasons(result, step), Is.Not.Empty.And.All.EqualTo(IncrementalStepRunReason.Cached), step);
        }
        Assert.That(Sources(result), Is.EqualTo(generated));
    }

    [Test]
    public void Gate_AbstractMethodGivenABody_ParsesAgainAndDropsTheEndpoint()
    {
        var (compilation, driver, generated) = RunOnce();
        Assert.That(generated["Demo.IGreeter.g.cs"], Does.Contain("\"Greeter.SayHello\""));

        var edited = Edit(compilation, Contract, "Task<HelloReply> SayHello(HelloRequest request);",
            "Task<HelloReply> SayHello(HelloRequest request) => Task.FromResult(new HelloReply(request.Name));\n    Task<HelloReply> Wave(HelloRequest request);");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        var source = Sources(result)["Demo.IGreeter.g.cs"];
        Assert.That(source, Does.Not.Contain("\"Greeter.SayHello\""));
        Assert.That(source, Does.Contain("\"Greeter.Wave\""));
    }

    [Test]
    public void Gate_DataMemberTypeChangedInAnotherFile_CodecRegenerated()
    {
        var (compilation, driver, generated) = RunOnce();

        var edited = Edit(compilation, Messages, "public sealed record HelloReply(string Message);", "public sealed record HelloReply(string Message, int Count);");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(Reasons(result, TrackingNames.Parse), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(Reasons(result, TrackingNames.Shared), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        var changed = Sources(result).Where(s => s.Value != generated[s.Key]).Select(static s => s.Key).ToList();
        Assert.That(changed, Is.Not.Empty);
        Assert.That(changed, Does.Not.Contain("Demo.IGreeter.g.cs"), "the contract's own file does not name the reply's members");
        Assert.That(changed.Select(k => Sources(result)[k]), Has.Some.Contains("Count"));
    }

    [Test]
    public void Gate_EnumMemberValueChanged_ParsesAgain()
    {
        var (compilation, driver, _) = RunOnce();

        var edited = Edit(compilation, Messages, "High = 2", "High = 3");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(Reasons(result, TrackingNames.Parse), Is.All.AnyOf(IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Gate_NullableDirectiveAdded_ParsesAgain()
    {
        var (compilation, driver, _) = RunOnce();

        // Only trivia changes, which IsEquivalentTo ignores, yet every annotation in the file changes meaning.
        var edited = Edit(compilation, Messages, "namespace Demo;", "#nullable disable\nnamespace Demo;");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(Reasons(result, TrackingNames.Parse), Is.All.AnyOf(IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Gate_PreprocessorSymbolsChanged_ParsesAgain()
    {
        var (compilation, driver, _) = RunOnce();

        var tree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(tree.GetRoot(), GeneratorHarness.ParseOptions.WithPreprocessorSymbols("TRACE_GREETER")));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
    }

    [Test]
    public void Gate_ReferenceRemoved_ParsesAgain()
    {
        var (compilation, driver, _) = RunOnce();

        var protobuf = compilation.References.Single(static r => r.Display?.EndsWith("Google.Protobuf.dll", StringComparison.Ordinal) == true);
        var result = driver.RunGenerators(compilation.RemoveReferences(protobuf)).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
    }

    [Test]
    public void Gate_CompilationOptionsChanged_ParsesAgain()
    {
        var (compilation, driver, _) = RunOnce();

        var result = driver.RunGenerators(compilation.WithOptions(compilation.Options.WithNullableContextOptions(NullableContextOptions.Disable)))
            .GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
    }

    [Test]
    public void Gate_BodyEditsInARow_EachUnchangedThenADeclarationEditSeen()
    {
        var (compilation, driver, generated) = RunOnce();

        // Three body edits in a row, each Unchanged (the kept snapshot takes each new version's trees);
        // then a declaration edit in the same file is still seen.
        for (var i = 2; i <= 4; i++)
        {
            compilation = Edit(compilation, Unrelated, $"private readonly int _offset = {i - 1};", $"private readonly int _offset = {i};");
            driver = driver.RunGenerators(compilation);
            Assert.That(Reasons(driver.GetRunResult().Results.Single(), TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Unchanged), $"edit {i}");
        }
        var declared = Edit(compilation, Unrelated, "public int Add(", "public int Subtract(int a, int b) => a - b;\n\n    public int Add(");
        var result = driver.RunGenerators(declared).GetRunResult().Results.Single();

        Assert.That(Reasons(result, TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(Reasons(result, TrackingNames.Parse), Is.All.EqualTo(IncrementalStepRunReason.Unchanged));
        Assert.That(Sources(result), Is.EqualTo(generated));
    }

    [Test]
    public void Gate_ParsedCompilationNotPinned_LaterRunsStillWork()
    {
        // Roslyn keeps the older of two equal snapshots: the first one, taken of the first compilation.
        var driver = RunTwiceAndForgetTheFirstCompilation(out var weak, out var bodyEdited);
        ForceCollection();
        Assert.That(weak.TryGetTarget(out _), Is.False, "the first compilation is still reachable: the kept snapshot pins it");

        var declared = Edit(bodyEdited, Messages, "public sealed record HelloReply(string Message);", "public sealed record HelloReply(string Message, string From);");
        var result = driver.RunGenerators(declared).GetRunResult().Results.Single();
        Assert.That(result.Exception, Is.Null);
        Assert.That(Sources(result).Values.Any(static s => s.Contains("From", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void Gate_EqualSnapshotKept_TakesTheNewTreesSoTheOldVersionIsNotPinned()
    {
        var driver = RunBodyEditAndForgetTheOldTree(out var oldTree);
        ForceCollection();

        Assert.That(oldTree.TryGetTarget(out _), Is.False, "the edited file's previous tree is still reachable: the kept snapshot pins it");
        GC.KeepAlive(driver);
    }

    [TestCase("using Svc = MicroGen.MicroServiceAttribute;\n", "[Svc(\"aliased\")]", TestName = "Discovery_UsingAlias_Found")]
    [TestCase("using SvcAttribute = MicroGen.MicroServiceAttribute;\n", "[Svc(\"aliased\")]", TestName = "Discovery_UsingAliasWithSuffix_Found")]
    [TestCase("", "[MicroGen.MicroService(\"qualified\")]", TestName = "Discovery_QualifiedName_Found")]
    [TestCase("", "[global::MicroGen.MicroServiceAttribute(\"global\")]", TestName = "Discovery_GlobalQualifiedFullName_Found")]
    public void Discovery_AttributeSpelledAnotherWay_ContractGenerated(string usings, string attribute)
    {
        var result = GeneratorHarness.Run(usings + $$"""
            using System.Threading.Tasks;

            namespace Demo;

            {{attribute}}
            public interface IPinger
            {
                Task<int> Ping(int value);
            }
            """);

        Assert.That(result.RunResult.Results.Single().GeneratedSources.Select(static s => s.HintName), Does.Contain("Demo.IPinger.g.cs"));
    }

    [Test]
    public void Discovery_GlobalAliasInAnotherFile_Found()
    {
        var result = GeneratorHarness.Run(
            "global using Contract = MicroGen.MicroServiceAttribute;",
            """
            using System.Threading.Tasks;

            namespace Demo;

            [Contract("pinger")]
            public interface IPinger
            {
                Task<int> Ping(int value);
            }
            """);

        Assert.That(result.RunResult.Results.Single().GeneratedSources.Select(static s => s.HintName), Does.Contain("Demo.IPinger.g.cs"));
    }

    [Test]
    public void Discovery_PartialInterfaceAttributedOnce_GeneratedOnce()
    {
        var result = GeneratorHarness.Run(
            """
            using System.Threading.Tasks;
            using MicroGen;

            namespace Demo;

            [MicroService("pinger")]
            public partial interface IPinger
            {
                Task<int> Ping(int value);
            }
            """,
            """
            using System;
            using System.Threading.Tasks;

            namespace Demo;

            [Obsolete("use IPinger2")]
            public partial interface IPinger
            {
                Task<int> Pong(int value);
            }
            """);

        var run = result.RunResult.Results.Single();
        Assert.That(run.GeneratedSources.Count(static s => s.HintName == "Demo.IPinger.g.cs"), Is.EqualTo(1));
        Assert.That(run.GeneratedSources.Single(static s => s.HintName == "Demo.IPinger.g.cs").SourceText.ToString(), Does.Contain("\"Pinger.Pong\""));
    }

    [Test]
    public void Discovery_LookalikeAttributeFromAnotherNamespace_Ignored()
    {
        var result = GeneratorHarness.Run(
            """
            using System;
            using System.Threading.Tasks;

            namespace Elsewhere
            {
                [AttributeUsage(AttributeTargets.Interface)]
                public sealed class MicroServiceAttribute(string name) : Attribute
                {
                    public string Name { get; } = name;
                }

                [MicroService("not-ours")]
                public interface INotOurs
                {
                    Task<int> Ping(int value);
                }
            }
            """);

        Assert.That(result.RunResult.Results.Single().GeneratedSources.Select(static s => s.HintName), Does.Not.Contain("Elsewhere.INotOurs.g.cs"));
    }

    [Test]
    public void Discovery_ContractNestedInClassAndEventInNamespaceBlock_Found()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using MicroGen;

            namespace Demo
            {
                namespace Inner
                {
                    [MicroEvent]
                    public sealed record Pinged(int Value);

                    public static class Outer
                    {
                        [MicroService("nested")]
                        public interface INested
                        {
                            Task<int> Ping(int value);
                        }
                    }
                }
            }
            """);

        var run = result.RunResult.Results.Single();
        Assert.That(run.GeneratedSources.Select(static s => s.HintName), Does.Contain("Demo.Inner.Outer.INested.g.cs"));
        Assert.That(run.GeneratedSources.Any(static s => s.SourceText.ToString().Contains("global::Demo.Inner.Pinged", StringComparison.Ordinal)), Is.True);
    }

    private static (CSharpCompilation Compilation, GeneratorDriver Driver, System.Collections.Generic.Dictionary<string, string> Generated) RunOnce()
    {
        var compilation = GeneratorHarness.CreateCompilation(Contract, Messages, Unrelated);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.That(result.Exception, Is.Null);
        Assert.That(result.GeneratedSources.Select(static s => s.HintName), Does.Contain("Demo.IGreeter.g.cs"));
        return (compilation, driver, Sources(result));
    }

    // Not inlined, so that no stack slot of the test still holds the first compilation or driver.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static GeneratorDriver RunTwiceAndForgetTheFirstCompilation(out WeakReference<Compilation> weak, out CSharpCompilation bodyEdited)
    {
        var (compilation, driver, _) = RunOnce();
        weak = new WeakReference<Compilation>(compilation);
        // A new compilation of the first one's trees (trees do not point to compilations) with a body
        // edit in the third, so that nothing of the first compilation stays reachable from it.
        var edited = CSharpSyntaxTree.ParseText(Unrelated.Replace("return a + b + _offset;", "return a * b + _offset;", StringComparison.Ordinal),
            GeneratorHarness.ParseOptions, compilation.SyntaxTrees.ElementAt(2).FilePath);
        bodyEdited = CSharpCompilation.Create(compilation.AssemblyName, [compilation.SyntaxTrees.ElementAt(0), compilation.SyntaxTrees.ElementAt(1), edited],
            compilation.References, compilation.Options);
        driver = driver.RunGenerators(bodyEdited);
        Assert.That(Reasons(driver.GetRunResult().Results.Single(), TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Unchanged));
        return driver;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static GeneratorDriver RunBodyEditAndForgetTheOldTree(out WeakReference<SyntaxTree> oldTree)
    {
        var (compilation, driver, _) = RunOnce();
        oldTree = new WeakReference<SyntaxTree>(compilation.SyntaxTrees.ElementAt(2));
        // Parsed anew into a new compilation: a tree made with WithChangedText, or a compilation made
        // with ReplaceSyntaxTree, may keep the earlier version reachable on its own.
        var edited = CSharpCompilation.Create(compilation.AssemblyName,
            [compilation.SyntaxTrees.ElementAt(0), compilation.SyntaxTrees.ElementAt(1),
             CSharpSyntaxTree.ParseText(Unrelated.Replace("return a + b + _offset;", "return a - b + _offset;", StringComparison.Ordinal), GeneratorHarness.ParseOptions, compilation.SyntaxTrees.ElementAt(2).FilePath)],
            compilation.References, compilation.Options);
        driver = driver.RunGenerators(edited);
        Assert.That(Reasons(driver.GetRunResult().Results.Single(), TrackingNames.Declarations), Is.All.EqualTo(IncrementalStepRunReason.Unchanged));
        return driver;
    }

    private static void ForceCollection()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, string file, string before, string after)
    {
        var index = Array.IndexOf([Contract, Messages, Unrelated], file);
        Assert.That(index, Is.GreaterThanOrEqualTo(0), "edit one of this fixture's files");
        var tree = compilation.SyntaxTrees.ElementAt(index);
        var text = tree.GetText().ToString();
        Assert.That(text, Does.Contain(before), "the edit's anchor");
        var at = text.IndexOf(before, StringComparison.Ordinal);
        var edited = text[..at] + after + text[(at + before.Length)..];
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited)));
    }

    private static System.Collections.Generic.List<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out var steps) ? steps.SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList() : [];

    private static System.Collections.Generic.Dictionary<string, string> Sources(GeneratorRunResult result) =>
        result.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());
}
