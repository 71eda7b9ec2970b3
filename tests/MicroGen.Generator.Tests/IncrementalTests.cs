using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using MicroGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The generator's pipeline caches: unrelated edits leave every tracked step Cached or Unchanged,
/// a contract edit changes only that contract, and models are symbol-free values.
/// </summary>
public sealed class IncrementalTests
{
    private const string Greeter = """
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        public sealed record HelloRequest(string Name);

        [MicroService("greeter")]
        public interface IGreeter
        {
            Task<string> SayHello(HelloRequest request);
        }
        """;

    private const string Counter = """
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        [MicroEvent]
        public sealed record Counted(long Value);

        [MicroService("counter")]
        public interface ICounter
        {
            Task<long> Next(int step);
        }
        """;

    private const string CounterEdited = """
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        [MicroEvent]
        public sealed record Counted(long Value);

        [MicroService("counter")]
        public interface ICounter
        {
            Task<long> Next(int step);
            Task Reset();
        }
        """;

    private const string Streams = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        public sealed record Chunk(byte[] Data);

        public sealed record Line(int Number, string Text);

        [MicroService("streams")]
        public interface IStreams
        {
            IAsyncEnumerable<Line> Tail(string file, int from, CancellationToken cancellationToken = default);
            Task<long> Upload(string name, IAsyncEnumerable<Chunk> chunks, CancellationToken cancellationToken = default);
            IAsyncEnumerable<Line> Chat(IAsyncEnumerable<Line> lines, CancellationToken cancellationToken = default);
        }
        """;

    /// <summary>Every tracking name the generator declares.</summary>
    private static readonly string[] s_trackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(static f => f.IsLiteral)
        .Select(static f => (string)f.GetRawConstantValue()!)
        .ToArray();

    /// <summary>
    /// The steps whose values are models. The declaration snapshot before them holds the
    /// compilation's syntax trees by design (it is what an edit is compared against).
    /// </summary>
    private static readonly string[] s_modelTrackingNames = s_trackingNames.Where(static n => n != TrackingNames.Declarations).ToArray();

    [Test]
    public void TrackingNames_Declared_AreFive()
    {
        Assert.That(s_trackingNames, Is.EquivalentTo(new[]
        {
            TrackingNames.Declarations, TrackingNames.Parse, TrackingNames.Contract, TrackingNames.Event, TrackingNames.Shared,
        }));
    }

    [Test]
    public void Pipeline_UnrelatedFileAdded_AllTrackedStepsCachedOrUnchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(Greeter, Counter);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public sealed class Unrelated { public int X { get; set; } }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // A new file is a declaration change: the contracts are parsed again, into equal models.
        Assert.That(result.TrackedSteps[TrackingNames.Declarations].SelectMany(static s => s.Outputs).Select(static o => o.Reason),
            Is.All.EqualTo(IncrementalStepRunReason.Modified));
        foreach (var name in s_modelTrackingNames)
        {
            Assert.That(result.TrackedSteps.ContainsKey(name), $"step {name} did not run");
            var reasons = result.TrackedSteps[name].SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, name);
            Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), name);
        }
    }

    [Test]
    public void Pipeline_StreamingContractUnrelatedFileAdded_AllTrackedStepsCachedOrUnchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(Streams, Greeter);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources.Select(static s => s.HintName), Does.Contain("Demo.IStreams.g.cs"));

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public sealed class Unrelated { public int X { get; set; } }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var name in new[] { TrackingNames.Contract, TrackingNames.Shared })
        {
            var reasons = result.TrackedSteps[name].SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, name);
            Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), name);
        }
    }

    [Test]
    public void Pipeline_StreamingContractEdited_OnlyThatContractModified()
    {
        var compilation = GeneratorHarness.CreateCompilation(Streams, Greeter);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var streamsTree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(streamsTree, CSharpSyntaxTree.ParseText(
            Streams.Replace("IAsyncEnumerable<Line> Chat(", "IAsyncEnumerable<Chunk> Echo(IAsyncEnumerable<Chunk> chunks);\n    IAsyncEnumerable<Line> Chat("),
            GeneratorHarness.ParseOptions, streamsTree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps[TrackingNames.Contract].SelectMany(static s => s.Outputs).ToList();
        var modified = outputs.Where(static o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New).ToList();
        Assert.That(modified, Has.Count.EqualTo(1));
        Assert.That(InterfaceName(modified[0].Value), Is.EqualTo("global::Demo.IStreams"));
        Assert.That(outputs.Where(static o => InterfaceName(o.Value) == "global::Demo.IGreeter").Select(static o => o.Reason),
            Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        Assert.That(result.GeneratedSources.Single(static s => s.HintName == "Demo.IStreams.g.cs").SourceText.ToString(), Does.Contain("\"Streams.Echo\""));
    }

    [Test]
    public void Pipeline_CommentEditedInContractFile_ModelUnchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation(Greeter, Counter);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var greeterTree = compilation.SyntaxTrees.First();
        var commented = compilation.ReplaceSyntaxTree(greeterTree,
            CSharpSyntaxTree.ParseText(Greeter.Replace("public interface IGreeter", "// a comment\npublic interface IGreeter"), GeneratorHarness.ParseOptions, greeterTree.FilePath));
        var result = driver.RunGenerators(commented).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[TrackingNames.Contract].SelectMany(static s => s.Outputs).Select(static o => o.Reason);
        Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        Assert.That(result.TrackedSteps[TrackingNames.Shared].SelectMany(static s => s.Outputs).Select(static o => o.Reason),
            Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Pipeline_OneContractEdited_OnlyThatContractModified()
    {
        var compilation = GeneratorHarness.CreateCompilation(Greeter, Counter);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());

        var counterTree = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(counterTree, CSharpSyntaxTree.ParseText(CounterEdited, GeneratorHarness.ParseOptions, counterTree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps[TrackingNames.Contract].SelectMany(static s => s.Outputs).ToList();
        var modified = outputs.Where(static o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New).ToList();
        Assert.That(modified, Has.Count.EqualTo(1));
        Assert.That(InterfaceName(modified[0].Value), Is.EqualTo("global::Demo.ICounter"));
        Assert.That(outputs.Where(static o => InterfaceName(o.Value) == "global::Demo.IGreeter").Select(static o => o.Reason),
            Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));

        var after = result.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());
        Assert.That(after["Demo.IGreeter.g.cs"], Is.EqualTo(before["Demo.IGreeter.g.cs"]));
        Assert.That(after["Demo.ICounter.g.cs"], Is.Not.EqualTo(before["Demo.ICounter.g.cs"]));
        Assert.That(after["Demo.ICounter.g.cs"], Does.Contain("Counter.Reset"));
    }

    [Test]
    public void Models_SameSourceCompiledTwice_AreEqual()
    {
        var first = Models(GeneratorHarness.CreateCompilation(Greeter, Counter));
        var second = Models(GeneratorHarness.CreateCompilation(Greeter, Counter));

        Assert.That(first, Has.Count.EqualTo(s_modelTrackingNames.Length));
        foreach (var name in s_modelTrackingNames)
        {
            Assert.That(second[name], Is.EqualTo(first[name]), name);
            Assert.That(second[name].Select(static m => m.GetHashCode()), Is.EqualTo(first[name].Select(static m => m.GetHashCode())), name);
        }
    }

    [Test]
    public void Models_StreamingContractCompiledTwice_AreEqual()
    {
        var first = Models(GeneratorHarness.CreateCompilation(Streams));
        var second = Models(GeneratorHarness.CreateCompilation(Streams));

        Assert.That(first[TrackingNames.Contract], Has.Count.EqualTo(1));
        Assert.That(second[TrackingNames.Contract], Is.EqualTo(first[TrackingNames.Contract]));
        Assert.That(second[TrackingNames.Shared], Is.EqualTo(first[TrackingNames.Shared]));
        Assert.That(second[TrackingNames.Contract].Single().GetHashCode(), Is.EqualTo(first[TrackingNames.Contract].Single().GetHashCode()));
    }

    [Test]
    public void Models_DifferentContract_AreNotEqual()
    {
        var first = Models(GeneratorHarness.CreateCompilation(Greeter, Counter));
        var second = Models(GeneratorHarness.CreateCompilation(Greeter, CounterEdited));

        Assert.That(second[TrackingNames.Contract], Is.Not.EqualTo(first[TrackingNames.Contract]));
    }

    [TestCaseSource(typeof(SnapshotCases), nameof(SnapshotCases.All))]
    public void Models_AnySnapshotContract_HoldNoSymbolsOrCompilationData(string caseName, string source)
    {
        var models = Models(GeneratorHarness.CreateCompilation(source));

        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var found = new List<string>();
        foreach (var model in models.Values.SelectMany(static m => m))
        {
            Walk(model, visited, caseName, found);
        }
        Assert.That(visited, Has.Count.GreaterThan(3), "the walk did not reach into the models");
        Assert.That(found, Is.Empty);
    }

    [Test]
    public void ModelWalk_ObjectHoldingSymbol_IsCaught()
    {
        var compilation = GeneratorHarness.CreateCompilation(Greeter);
        var found = new List<string>();

        Walk(new List<object> { "x", new KeyValuePair<string, object>("k", compilation.GlobalNamespace) }, new HashSet<object>(ReferenceEqualityComparer.Instance), "root", found);

        Assert.That(found, Is.Not.Empty);
        Assert.That(found[0], Does.Contain("Symbol"));
    }

    private static void Walk(object? node, HashSet<object> visited, string path, List<string> found)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum)
        {
            return;
        }
        if (node is ISymbol or SyntaxNode or Location or Compilation or SemanticModel or SyntaxTree)
        {
            found.Add($"{path}: {node.GetType().Name}");
            return;
        }
        if (!node.GetType().IsValueType && !visited.Add(node))
        {
            return;
        }
        if (node is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                Walk(item, visited, $"{path}[{i++}]", found);
            }
        }
        for (var type = node.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(node), visited, $"{path}.{field.Name}", found);
            }
        }
    }

    /// <summary>The output values of each tracked step of one generator run.</summary>
    private static Dictionary<string, List<object>> Models(Compilation compilation)
    {
        var result = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();
        return s_modelTrackingNames.ToDictionary(
            static n => n,
            n => result.TrackedSteps.TryGetValue(n, out var steps) ? steps.SelectMany(static s => s.Outputs).Select(static o => o.Value).ToList() : []);
    }

    private static string InterfaceName(object model) =>
        (string)model.GetType().GetProperty("InterfaceFullName")!.GetValue(model)!;
}
