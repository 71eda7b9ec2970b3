using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using MicroGen.Analyzers.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

/// <summary>
/// The MicroGen package as a user gets it: packed into a temporary feed, referenced from a fresh
/// console project (own nuget.config, own NUGET_PACKAGES so the machine's cache is untouched), where
/// the analyzers report a bad contract in the build output and a good contract builds and runs,
/// loading the package's precompiled (ReadyToRun) MicroGen.dll for this platform.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed class PackagingTests
{
    private const string PackageVersion = "0.1.0";

    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromMinutes(8);

    /// <summary>A service and a client of it in one process, on the package's defaults.</summary>
    private const string CalcProgram = """
            using MicroGen;

            await using var server = Micro.CreateService(o => o.Name = "calc");
            server.Handle<ICalc>(new Calc());
            await server.StartAsync();
            await using var caller = Micro.CreateService(o => o.Name = "caller");
            var calc = caller.Client.For<ICalc>();
            Console.WriteLine($"sum={await calc.Add(1, 2)}");
            await server.StopAsync();

            [MicroService("calc", Version = "1.0.0")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
            }

            public sealed class Calc : ICalc
            {
                public Task<int> Add(int a, int b, CancellationToken cancellationToken = default) => Task.FromResult(a + b);
            }
            """;

    private string _root = null!;
    private string _feed = null!;

    [OneTimeSetUp]
    public async Task PackIntoTemporaryFeed()
    {
        _root = Path.Combine(Path.GetTempPath(), "microgen-packaging-" + Guid.NewGuid().ToString("N"));
        _feed = Path.Combine(_root, "feed");
        Directory.CreateDirectory(_feed);
        var project = Path.Combine(RepositoryRoot.Path, "runtime", "MicroGen", "MicroGen.csproj");
        var pack = await RunAsync(RepositoryRoot.Path, "pack", $"\"{project}\"", "-c", "Release", "-o", $"\"{_feed}\"", "-p:ContinuousIntegrationBuild=false");
        Assert.That(pack.ExitCode, Is.Zero, pack.Output);
        Assert.That(File.Exists(Path.Combine(_feed, $"MicroGen.{PackageVersion}.nupkg")), pack.Output);
    }

    [OneTimeTearDown]
    public void DeleteTemporaryFolder()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file; the folder is under the temp directory anyway.
        }
    }

    [Test]
    public void Package_AnalyzersFolder_HoldsGeneratorAnalyzersAndCodeFixes()
    {
        // Act
        using var package = ZipFile.OpenRead(Path.Combine(_feed, $"MicroGen.{PackageVersion}.nupkg"));
        var analyzers = package.Entries
            .Select(static e => e.FullName)
            .Where(static name => name.StartsWith("analyzers/dotnet/cs/", StringComparison.Ordinal))
            .ToList();

        // Assert: the code fixes load only next to the analyzers whose diagnostics they fix.
        Assert.That(analyzers, Is.SupersetOf(new[]
        {
            "analyzers/dotnet/cs/MicroGen.Generator.dll",
            "analyzers/dotnet/cs/MicroGen.Analyzers.dll",
            "analyzers/dotnet/cs/MicroGen.CodeFixes.dll",
        }), string.Join(Environment.NewLine, package.Entries.Select(static e => e.FullName)));
    }

    [Test]
    public async Task Package_BadContract_BuildReportsAnalyzerDiagnostic()
    {
        // Arrange
        var project = CreateConsoleProject("bad", """
            using MicroGen;

            Console.WriteLine("unreachable");

            [MicroService("calc")]
            public interface ICalc
            {
                int Add(int a, int b, CancellationToken cancellationToken = default);
            }
            """);

        // Act
        var build = await RunAsync(project, "build");

        // Assert
        Assert.That(build.ExitCode, Is.Not.Zero, build.Output);
        Assert.That(build.Output, Does.Contain("error MG0001"), build.Output);
    }

    [Test]
    public async Task Package_GoodContract_BuildsAndRunsWithGeneratedCode()
    {
        // Arrange
        var project = CreateConsoleProject("good", CalcProgram);

        // Act
        var build = await RunAsync(project, "build");
        var run = build.ExitCode == 0 ? await RunAsync(project, "run", "--no-build") : build;

        // Assert
        Assert.That(build.ExitCode, Is.Zero, build.Output);
        Assert.That(build.Output, Does.Not.Contain("warning MG"), build.Output);
        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.That(run.Output, Does.Contain("sum=3"), run.Output);
    }

    [Test]
    public void Package_RuntimesFolder_HoldsReadyToRunImageOfTheLibIl()
    {
        // Act
        using var package = ZipFile.OpenRead(Path.Combine(_feed, $"MicroGen.{PackageVersion}.nupkg"));
        var il = Inspect(package, "lib/net10.0/MicroGen.dll");
        var precompiled = Inspect(package, $"runtimes/{PortableRid}/lib/net10.0/MicroGen.dll");

        // Assert: lib/ stays portable IL; runtimes/<rid>/lib holds an image compiled from that very IL.
        Assert.That(il.ReadyToRun, Is.False);
        Assert.That(precompiled.ReadyToRun, Is.True);
        Assert.That(precompiled.Mvid, Is.EqualTo(il.Mvid));
    }

    [Test]
    public async Task Package_App_LoadsThePrecompiledMicroGen()
    {
        // Arrange
        var project = CreateConsoleProject("precompiled", CalcProgram);
        var hostTrace = Path.Combine(_root, "host-trace.txt");

        // Act: the JIT summary goes to the process's stdout. With DOTNET_JitStdOutFile the runtime
        // closes that file at exit while a background tier-1 compile may still write to it, which
        // crashes the app now and then (free(): invalid pointer, 4 of 80 runs here).
        var build = await RunAsync(project, "build");
        Assert.That(build.ExitCode, Is.Zero, build.Output);
        var run = await RunAsync(project, new Dictionary<string, string>
        {
            ["COREHOST_TRACE"] = "1",
            ["COREHOST_TRACEFILE"] = hostTrace,
            ["DOTNET_JitDisasmSummary"] = "1",
        }, Path.Combine("bin", "Debug", "net10.0", "precompiled.dll"));

        // Assert
        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.That(run.Output, Does.Contain("sum=3"), run.Output);
        Assert.That(File.ReadAllText(hostTrace), Does.Contain(
            $"Processing TPA for deps entry [MicroGen, {PackageVersion}, runtimes/{PortableRid}/lib/net10.0/MicroGen.dll"),
            "the host resolved MicroGen.dll to the package's runtimes/<rid> asset");
        // With the IL this app JIT-compiles several hundred of MicroGen's methods at tier 0; with the
        // image only instantiations over value types that the image could not foresee are left.
        var jitted = run.Output.Split('\n').Where(static line => line.Contains("JIT compiled ", StringComparison.Ordinal)).ToArray();
        var microGenTier0 = jitted
            .Where(static line => line.Contains("JIT compiled MicroGen.", StringComparison.Ordinal)
                                  && !line.Contains("JIT compiled MicroGen.Generated.", StringComparison.Ordinal)
                                  && line.Contains("Tier0", StringComparison.Ordinal))
            .ToArray();
        Assert.That(jitted, Has.Length.GreaterThan(100), "the runtime wrote its JIT summary");
        Assert.That(microGenTier0, Has.Length.LessThan(60), string.Join(Environment.NewLine, microGenTier0.Take(40)));
    }

    [Test]
    public async Task Library_Publish_Succeeds()
    {
        // Act: `dotnet publish` of a solution publishes its libraries too; the ReadyToRun image is
        // the package's business and must not make a RID-less publish fail (NETSDK1094).
        var project = Path.Combine(RepositoryRoot.Path, "runtime", "MicroGen", "MicroGen.csproj");
        var output = Path.Combine(_root, "publish");
        var publish = await RunAsync(RepositoryRoot.Path, "publish", $"\"{project}\"", "-c", "Release", "-o", $"\"{output}\"");

        // Assert
        Assert.That(publish.ExitCode, Is.Zero, publish.Output);
        Assert.That(File.Exists(Path.Combine(output, "MicroGen.dll")), publish.Output);
    }

    /// <summary>The portable RID of this machine (linux-x64, osx-arm64, win-x64, ...), as the SDK names it.</summary>
    private static string PortableRid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    private static (bool ReadyToRun, Guid Mvid) Inspect(ZipArchive package, string entry)
    {
        using var copy = new MemoryStream();
        using (var stream = package.GetEntry(entry)?.Open() ?? throw new AssertionException($"the package has no {entry}"))
        {
            stream.CopyTo(copy);
        }
        copy.Position = 0;
        using var pe = new PEReader(copy);
        var metadata = pe.GetMetadataReader();
        return (pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, metadata.GetGuid(metadata.GetModuleDefinition().Mvid));
    }

    private string CreateConsoleProject(string name, string program)
    {
        var directory = Path.Combine(_root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MicroGen" Version="{PackageVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="microgen-local" value="{_feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
        return directory;
    }

    private Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] arguments) =>
        RunAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    private async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", string.Join(' ', arguments))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // An isolated package cache, so that the machine's cache never holds this build's MicroGen 0.1.0.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_root, "packages");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No build server: nothing of this test outlives it.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(s_commandTimeout)) != exited)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} timed out");
        }
        output.Append(await stdout).Append(await stderr);
        TestContext.Out.WriteLine($"$ dotnet {string.Join(' ', arguments)} (exit {process.ExitCode})");
        return (process.ExitCode, output.ToString());
    }
}
