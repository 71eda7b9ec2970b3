using System;
using System.IO;
using MicroGen.Generator.Tests.Infrastructure;
using NUnit.Framework;
using NUnit.Framework.Internal;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The snapshot helper itself, run against a temporary folder: a mismatch must leave a
/// <c>.received.cs</c> to review and fail with a readable diff, and accepting must rewrite the
/// <c>.verified.cs</c>. Otherwise a broken helper would let every snapshot test pass.
/// </summary>
[NonParallelizable] // the accept switch is a process-wide environment variable
public sealed class SnapshotVerifierTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "microgen-snapshots-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private string VerifiedPath(string name) => Path.Combine(_directory, name + ".verified.cs");

    private string ReceivedPath(string name) => Path.Combine(_directory, name + ".received.cs");

    /// <summary>
    /// Runs <paramref name="verify"/> with the accept variable set to <paramref name="accept"/>
    /// (null: unset, whatever the developer's shell says) and returns its assertion message, or
    /// null when it passed. The isolated context keeps the expected failure out of this test's result.
    /// </summary>
    private static string? FailureOf(Action verify, string? accept = null)
    {
        var previous = Environment.GetEnvironmentVariable(SnapshotVerifier.AcceptVariable);
        Environment.SetEnvironmentVariable(SnapshotVerifier.AcceptVariable, accept);
        try
        {
            using (new TestExecutionContext.IsolatedContext())
            {
                try
                {
                    verify();
                    return null;
                }
                catch (AssertionException e)
                {
                    return e.Message;
                }
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(SnapshotVerifier.AcceptVariable, previous);
        }
    }

    [Test]
    public void Verify_OutputDiffers_WritesReceivedAndFailsWithDiff()
    {
        File.WriteAllText(VerifiedPath("Case.File"), "line one\nline two\nline three\n");
        const string actual = "line one\nline 2\nline three\n";

        var failure = FailureOf(() => SnapshotVerifier.Verify("Case.File", actual, _directory));

        Assert.That(failure, Is.Not.Null, "a differing output must fail");
        Assert.That(failure, Does.Contain("Snapshot Case.File differs"));
        Assert.That(failure, Does.Contain(ReceivedPath("Case.File")));
        Assert.That(failure, Does.Contain(SnapshotVerifier.AcceptVariable + "=1"));
        Assert.That(failure, Does.Contain("-     2 | line two"));
        Assert.That(failure, Does.Contain("+     2 | line 2"));
        Assert.That(File.ReadAllText(ReceivedPath("Case.File")), Is.EqualTo(actual));
        Assert.That(File.ReadAllText(VerifiedPath("Case.File")), Is.EqualTo("line one\nline two\nline three\n"), "the verified file is left alone");
    }

    [Test]
    public void Verify_NoVerifiedFile_WritesReceivedAndFailsNamingIt()
    {
        var failure = FailureOf(() => SnapshotVerifier.Verify("Case.New", "generated\n", _directory));

        Assert.That(failure, Does.StartWith("No snapshot " + VerifiedPath("Case.New")));
        Assert.That(File.ReadAllText(ReceivedPath("Case.New")), Is.EqualTo("generated\n"));
        Assert.That(File.Exists(VerifiedPath("Case.New")), Is.False);
    }

    [Test]
    public void Verify_OutputMatchesUpToLineEndingsAndBom_PassesAndRemovesStaleReceived()
    {
        File.WriteAllText(VerifiedPath("Case.Same"), "\uFEFFa\r\nb\r\n");
        File.WriteAllText(ReceivedPath("Case.Same"), "left over from an earlier mismatch");

        var failure = FailureOf(() => SnapshotVerifier.Verify("Case.Same", "a\nb\n", _directory));

        Assert.That(failure, Is.Null);
        Assert.That(File.Exists(ReceivedPath("Case.Same")), Is.False);
    }

    [Test]
    public void Verify_AcceptVariableSet_RewritesVerifiedAndPasses()
    {
        File.WriteAllText(VerifiedPath("Case.Changed"), "old\n");
        File.WriteAllText(ReceivedPath("Case.Changed"), "old received\n");

        var changed = FailureOf(() => SnapshotVerifier.Verify("Case.Changed", "new\n", _directory), accept: "1");
        var created = FailureOf(() => SnapshotVerifier.Verify("Case.Created", "first\n", _directory), accept: "1");

        Assert.That(changed, Is.Null);
        Assert.That(created, Is.Null);
        Assert.That(File.ReadAllText(VerifiedPath("Case.Changed")), Is.EqualTo("new\n"));
        Assert.That(File.ReadAllText(VerifiedPath("Case.Created")), Is.EqualTo("first\n"));
        Assert.That(File.Exists(ReceivedPath("Case.Changed")), Is.False, "an accepted snapshot leaves no received file");
        Assert.That(SnapshotVerifier.VerifiedNames("Case", _directory), Is.EqualTo(new[] { "Case.Changed", "Case.Created" }));
    }

    [Test]
    public void Verify_AcceptVariableOtherThanOne_StillFails()
    {
        File.WriteAllText(VerifiedPath("Case.Strict"), "old\n");

        var failure = FailureOf(() => SnapshotVerifier.Verify("Case.Strict", "new\n", _directory), accept: "true");

        Assert.That(failure, Does.Contain("differs"));
        Assert.That(File.ReadAllText(VerifiedPath("Case.Strict")), Is.EqualTo("old\n"));
    }
}
