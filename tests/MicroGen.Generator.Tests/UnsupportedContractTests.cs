using System.Linq;
using MicroGen.Generator.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// Contracts the generator cannot carry: it generates nothing for them (the analyzers will report
/// why), never throws, and never emits code that breaks the user's build.
/// </summary>
public sealed class UnsupportedContractTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using MicroGen;

        namespace Demo;

        public sealed class Ok { public int Value { get; set; } }

        """;

    [TestCase("Task<object> Get();", TestName = "Contract_ObjectResult_Skipped")]
    [TestCase("Task Send(Stream body);", TestName = "Contract_StreamParameter_Skipped")]
    [TestCase("Task Send(Action callback);", TestName = "Contract_DelegateParameter_Skipped")]
    [TestCase("Task Send(IDisposable value);", TestName = "Contract_InterfaceParameter_Skipped")]
    [TestCase("Task Send(HashSet<int> values);", TestName = "Contract_UnsupportedCollection_Skipped")]
    [TestCase("Task Send(Dictionary<Ok, int> map);", TestName = "Contract_DictionaryWithObjectKey_Skipped")]
    [TestCase("Task Send(int[,] grid);", TestName = "Contract_MultidimensionalArray_Skipped")]
    [TestCase("IAsyncEnumerable<Ok> Merge(IAsyncEnumerable<Ok> left, IAsyncEnumerable<Ok> right);", TestName = "Contract_TwoStreamParameters_Skipped")]
    [TestCase("Task<int> Sum(string name, IAsyncEnumerable<int> a, IAsyncEnumerable<int> b, CancellationToken ct);", TestName = "Contract_TwoStreamParametersClientStreaming_Skipped")]
    [TestCase("IAsyncEnumerable<object> Watch(Ok request);", TestName = "Contract_StreamOfUnsupportedItems_Skipped")]
    [TestCase("Task Upload(IAsyncEnumerable<IDisposable> items);", TestName = "Contract_StreamParameterOfUnsupportedItems_Skipped")]
    [TestCase("IAsyncEnumerable<IAsyncEnumerable<Ok>> Nested();", TestName = "Contract_NestedStream_Skipped")]
    [TestCase("IAsyncEnumerable<Ok> Watch(Ok request, object extra);", TestName = "Contract_StreamWithUnsupportedArgument_Skipped")]
    [TestCase("Task<Ok> Upload(ref IAsyncEnumerable<Ok> chunks);", TestName = "Contract_RefStreamParameter_Skipped")]
    [TestCase("IEnumerable<Ok> Watch(Ok request);", TestName = "Contract_SynchronousEnumerable_Skipped")]
    [TestCase("IAsyncEnumerator<Ok> Watch(Ok request);", TestName = "Contract_AsyncEnumeratorResult_Skipped")]
    [TestCase("Task<T> Get<T>();", TestName = "Contract_GenericMethod_Skipped")]
    [TestCase("int Sync();", TestName = "Contract_SynchronousMethod_Skipped")]
    [TestCase("Task Send(ref int value);", TestName = "Contract_RefParameter_Skipped")]
    [TestCase("Task Send(CancellationToken ct, int value);", TestName = "Contract_TokenNotLast_Skipped")]
    [TestCase("int Value { get; }", TestName = "Contract_Property_Skipped")]
    [TestCase("Task A(); [Endpoint(\"A\")] Task B();", TestName = "Contract_DuplicateEndpoint_Skipped")]
    [TestCase("[Endpoint(\"\")] Task A();", TestName = "Contract_EmptyEndpoint_Skipped")]
    [TestCase("Task Send(Abstract value);", TestName = "Contract_AbstractClass_Skipped")]
    [TestCase("Task Send(Outer.Private value);", TestName = "Contract_InaccessibleType_Skipped")]
    [TestCase("Task Send(NoConstructor value);", TestName = "Contract_AmbiguousConstructor_Skipped")]
    [TestCase("Task Send(Holder value);", TestName = "Contract_MemberOfUnsupportedType_Skipped")]
    public void Parser_UnsupportedMember_GeneratesNothingForContract(string member)
    {
        var source = Usings + """
            public abstract class Abstract { public int X { get; set; } }
            public class Outer { private sealed class Private { } public void Use(object o) { } }
            public sealed class NoConstructor { public NoConstructor(int a) { A = a; } public NoConstructor(string b) { B = b; } public int A { get; } public string? B { get; } }
            public sealed class Holder { public object? Anything { get; set; } }

            [MicroService("bad")]
            public interface IBad
            {
                MEMBER
            }

            [MicroService("good")]
            public interface IGood
            {
                Task<Ok> Get(Ok request);
            }
            """.Replace("MEMBER", member);

        var result = GeneratorHarness.Run(source);

        Assert.That(result.GeneratorDiagnostics, Is.Empty);
        Assert.That(result.Sources.Keys, Does.Not.Contain("Demo.IBad.g.cs"));
        Assert.That(result.Sources.Keys, Does.Contain("Demo.IGood.g.cs"), "a bad contract must not stop the others");
        Assert.That(result.Sources["MicroGen.Registration.g.cs"], Does.Not.Contain("IBad"));
        var generatedProblems = result.CompilationProblems.Where(static d => d.Location.SourceTree?.FilePath.StartsWith("Input", System.StringComparison.Ordinal) != true);
        Assert.That(generatedProblems, Is.Empty, string.Join("\n", generatedProblems));
    }

    [TestCase("[MicroService(\"\")] public interface IBad { Task A(); }", TestName = "Contract_EmptyServiceName_Skipped")]
    [TestCase("[MicroService(\"generic\")] public interface IBad<T> { Task<T> A(); }", TestName = "Contract_GenericInterface_Skipped")]
    [TestCase("public class Host { [MicroService(\"p\")] private interface IBad { Task A(); } }", TestName = "Contract_PrivateNestedInterface_Skipped")]
    public void Parser_UnsupportedInterface_GeneratesNothing(string declaration)
    {
        var result = GeneratorHarness.Run(Usings + declaration);

        Assert.That(result.GeneratorDiagnostics, Is.Empty);
        Assert.That(result.Sources.Keys.Where(static k => k.Contains("IBad")), Is.Empty);
    }

    [Test]
    public void Parser_EventOfUnsupportedType_SkipsOnlyThatEvent()
    {
        var result = GeneratorHarness.Run(Usings + """
            [MicroEvent] public sealed class BadEvent { public object? Payload { get; set; } }
            [MicroEvent] public sealed record GoodEvent(int Id);
            """);

        Assert.That(result.GeneratorDiagnostics, Is.Empty);
        Assert.That(result.Sources["MicroGen.Codecs.g.cs"], Does.Contain("Demo_GoodEventMessagePackFormatter"));
        Assert.That(result.Sources["MicroGen.Codecs.g.cs"], Does.Not.Contain("BadEvent"));
        Assert.That(result.CompilationProblems, Is.Empty, string.Join("\n", result.CompilationProblems));
    }

    [Test]
    public void Parser_NoContracts_GeneratesNothing()
    {
        var result = GeneratorHarness.Run(Usings);

        Assert.That(result.Sources, Is.Empty);
    }
}
