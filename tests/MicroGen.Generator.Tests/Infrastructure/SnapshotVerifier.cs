using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using NUnit.Framework;

namespace MicroGen.Generator.Tests.Infrastructure;

/// <summary>
/// Compares generated text with a committed <c>Snapshots/{name}.verified.cs</c>. On a mismatch it
/// writes <c>{name}.received.cs</c> beside it and fails with a line diff; with
/// <c>MICROGEN_ACCEPT_SNAPSHOTS=1</c> it overwrites the verified file instead.
/// </summary>
/// <remarks>
/// Every member takes an optional <c>directory</c> (default: this project's <c>Snapshots/</c>
/// folder) so that the helper's own tests can run it against a temporary folder.
/// </remarks>
internal static class SnapshotVerifier
{
    public const string AcceptVariable = "MICROGEN_ACCEPT_SNAPSHOTS";

    public static string SnapshotDirectory([CallerFilePath] string callerPath = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(callerPath)!)!, "Snapshots");

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    /// <summary>The snapshot names committed for a case (<c>{case}.{file}</c>).</summary>
    public static IReadOnlyList<string> VerifiedNames(string caseName, string? directory = null) =>
        Directory.Exists(directory ??= SnapshotDirectory())
            ? Directory.GetFiles(directory, caseName + ".*.verified.cs")
                .Select(static p => Path.GetFileName(p)[..^".verified.cs".Length])
                .OrderBy(static n => n, StringComparer.Ordinal)
                .ToList()
            : [];

    /// <summary>The snapshot name of a generated file: the case and the hint name without <c>.g.cs</c>.</summary>
    public static string NameFor(string caseName, string hintName) =>
        caseName + "." + (hintName.EndsWith(".g.cs", StringComparison.Ordinal) ? hintName[..^".g.cs".Length] : hintName);

    /// <summary>Passes when <paramref name="actual"/> equals <c>{name}.verified.cs</c> in <paramref name="directory"/>.</summary>
    public static void Verify(string name, string actual, string? directory = null)
    {
        directory ??= SnapshotDirectory();
        var verifiedPath = Path.Combine(directory, name + ".verified.cs");
        var receivedPath = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);
        var expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }
        if (Accepting)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verifiedPath}; the output was written to {receivedPath}. Review it and run with {AcceptVariable}=1 to accept."
            : $"Snapshot {name} differs (received file: {receivedPath}; run with {AcceptVariable}=1 to accept):\n{Diff(expected, actual)}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    /// <summary>A line diff (longest common subsequence), <c>-</c> for expected lines, <c>+</c> for received ones, with context.</summary>
    public static string Diff(string expected, string actual, int context = 2, int maxLines = 80)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var lines = new List<(char Op, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', x + 1, a[x]));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', y + 1, b[y]));
                y++;
            }
            else
            {
                lines.Add(('-', x + 1, a[x]));
                x++;
            }
        }
        var output = new StringBuilder();
        var written = 0;
        for (var k = 0; k < lines.Count && written < maxLines; k++)
        {
            var near = Enumerable.Range(Math.Max(0, k - context), Math.Min(lines.Count, k + context + 1) - Math.Max(0, k - context))
                .Any(n => lines[n].Op != ' ');
            if (!near)
            {
                continue;
            }
            output.Append(lines[k].Op).Append(' ').Append(lines[k].Line.ToString().PadLeft(5)).Append(" | ").AppendLine(lines[k].Text);
            written++;
        }
        return output.ToString();
    }
}
