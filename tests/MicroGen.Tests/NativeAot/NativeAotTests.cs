using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;

namespace MicroGen.Tests.NativeAot;

/// <summary>
/// The Greeter sample published with Native AOT runs end to end: the generated proxy, dispatcher
/// and codecs, the event's generated codec on the broker's delivery path, and the runtime work
/// with no JIT and no reflection fallback.
/// </summary>
[TestFixture]
[Category("NativeAot")]
[Platform("Linux")]
[NonParallelizable]
public sealed class NativeAotTests
{
    [Test]
    public async Task GreeterSample_PublishedNativeAot_ServerAndClientTalk()
    {
        Assert.That(Which("clang"), Is.Not.Null,
            "Native AOT needs clang and zlib: install them with `apt-get install clang zlib1g-dev` (.ci/run does this when they are missing)");

        var root = RepositoryRoot();
        var output = Path.Combine(Path.GetTempPath(), "microgen-aot-" + Guid.NewGuid().ToString("N"));
        var registry = Path.Combine(output, "registry");
        try
        {
            var publish = await RunAsync("dotnet", root, TimeSpan.FromMinutes(10), null,
                "publish", Path.Combine(root, "samples", "Greeter", "Greeter.csproj"), "-c", "Release", "-r", "linux-x64",
                "-p:NativeAot=true", "-o", Path.Combine(output, "bin"));
            Assert.That(publish.ExitCode, Is.Zero, publish.Output);
            var aotWarnings = publish.Output.Split('\n')
                .Where(line => line.Contains("warning IL", StringComparison.Ordinal) && !line.Contains("Assembly 'MessagePack' produced", StringComparison.Ordinal))
                .Distinct()
                .ToArray();
            Assert.That(aotWarnings, Is.Empty, "the only trim/AOT warnings allowed come from MessagePack's unused dynamic resolvers");

            var run = await RunAsync(Path.Combine(output, "bin", "Greeter"), output, TimeSpan.FromMinutes(1), registry);

            Assert.That(run.ExitCode, Is.Zero, run.Output);
            Assert.That(run.Output, Does.Contain("Hello world (greeting #1)"));
            Assert.That(run.Output, Does.Contain("error as expected: 400 Bad Request: name must not be empty"));
            Assert.That(run.Output, Does.Contain("stopped cleanly"));
            // The event went from the client process to the server process through the embedded
            // broker, with the generated [MicroEvent] codec: published and acknowledged, then printed.
            var lines = run.Output.Split('\n');
            Assert.That(lines, Has.Some.Match(@"^\[client pid \d+\] published message [0-9a-f]{32} on 'greeter\.greeted': queue group 'greeter': delivered to "),
                "the client prints the PublishResult of a delivered event");
            Assert.That(lines, Has.Some.Match(@"^\[server pid \d+\] event greeter\.greeted from caller: MicroGen got greeting #3 \(message [0-9a-f]{32}\)"),
                "the server's subscription prints the event it received");
            var published = System.Text.RegularExpressions.Regex.Match(run.Output, @"published message ([0-9a-f]{32})").Groups[1].Value;
            Assert.That(run.Output, Does.Contain($"(message {published})"), "the server received the very message the client published");
        }
        finally
        {
            try
            {
                Directory.Delete(output, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string directory, TimeSpan timeout, string? registryDir, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (registryDir is not null)
        {
            info.Environment["MICROGEN_REGISTRY_DIR"] = registryDir;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? Which(string command)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MicroGen.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException("MicroGen.sln not found above " + AppContext.BaseDirectory);
    }
}
