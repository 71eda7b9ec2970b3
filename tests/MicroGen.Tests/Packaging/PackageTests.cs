using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using NUnit.Framework;

namespace MicroGen.Tests.Packaging;

/// <summary>
/// The MicroGen package as an app gets it: IL under lib/, a ReadyToRun copy of MicroGen.dll for the
/// platform it was packed on under runtimes/&lt;rid&gt;/lib/, and the generator beside them. An app
/// built against the package runs the Greeter sample end to end, loads the precompiled copy and
/// compiles almost none of MicroGen's methods with the JIT.
/// </summary>
[TestFixture]
[Category("Packaging")]
[NonParallelizable]
public sealed class PackageTests
{
    private const string Framework = "net10.0";
    private string _work = null!;
    private string _feed = null!;
    private string _version = null!;
    private string _package = null!;

    /// <summary>The portable RID of this machine (linux-x64, osx-arm64, win-x64, ...), as the SDK names it.</summary>
    private static string PortableRid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    [OneTimeSetUp]
    public async Task PackAsync()
    {
        _work = Path.Combine(Path.GetTempPath(), "microgen-package-" + Guid.NewGuid().ToString("N"));
        _feed = Path.Combine(_work, "feed");
        // A version of its own: NuGet caches packages by version, so a reused one would serve old bits.
        _version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];
        var root = ExternalProcess.RepositoryRoot();
        var pack = await ExternalProcess.RunAsync("dotnet", root, TimeSpan.FromMinutes(10), null,
            "pack", Path.Combine(root, "runtime", "MicroGen", "MicroGen.csproj"), "-c", "Release", "-o", _feed,
            "-p:PackageVersion=" + _version, "--nologo");
        Assert.That(pack.ExitCode, Is.Zero, pack.Output);
        _package = Path.Combine(_feed, $"MicroGen.{_version}.nupkg");
        Assert.That(File.Exists(_package), Is.True, pack.Output);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        ExternalProcess.TryDeleteDirectory(_work);
        // The restore below extracted this test-only version into the global packages folder.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        ExternalProcess.TryDeleteDirectory(Path.Combine(packages, "microgen", _version));
    }

    [Test]
    public void Package_CarriesTheIlAndAReadyToRunImageOfTheSameBuild()
    {
        using var zip = ZipFile.OpenRead(_package);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.That(names, Does.Contain($"lib/{Framework}/MicroGen.dll"));
        Assert.That(names, Does.Contain($"lib/{Framework}/MicroGen.xml"));
        Assert.That(names, Does.Contain("analyzers/dotnet/cs/MicroGen.Generator.dll"));
        Assert.That(names, Does.Contain("analyzers/dotnet/cs/MicroGen.Analyzers.dll"));
        Assert.That(names, Does.Contain($"runtimes/{PortableRid}/lib/{Framework}/MicroGen.dll"));

        var il = Inspect(zip, $"lib/{Framework}/MicroGen.dll");
        var precompiled = Inspect(zip, $"runtimes/{PortableRid}/lib/{Framework}/MicroGen.dll");
        Assert.That(il.ReadyToRun, Is.False, "lib/ holds the portable IL, loadable on every platform");
        Assert.That(precompiled.ReadyToRun, Is.True, "runtimes/<rid>/lib holds a ReadyToRun image");
        Assert.That(precompiled.Mvid, Is.EqualTo(il.Mvid), "the ReadyToRun image is compiled from the very IL beside it");
    }

    [Test]
    public async Task AppOnThePackage_RunsTheGreeterAndLoadsThePrecompiledMicroGen()
    {
        var root = ExternalProcess.RepositoryRoot();
        var app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        foreach (var source in new[] { "IGreeter.cs", "GreeterHandler.cs", "Program.cs" })
        {
            File.Copy(Path.Combine(root, "samples", "Greeter", source), Path.Combine(app, source));
        }
        File.WriteAllText(Path.Combine(app, "Greeter.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{Framework}</TargetFramework>
                <Nullable>enable</Nullable>
                <RootNamespace>Greeter</RootNamespace>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MicroGen" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        // The local feed, on top of the machine's own sources (which serve MicroGen's dependencies).
        File.WriteAllText(Path.Combine(app, "NuGet.Config"), $"""
            <configuration>
              <packageSources>
                <add key="microgen-under-test" value="{_feed}" />
              </packageSources>
            </configuration>
            """);

        var build = await ExternalProcess.RunAsync("dotnet", app, TimeSpan.FromMinutes(5), null, "build", "-c", "Release", "--nologo");
        Assert.That(build.ExitCode, Is.Zero, build.Output);
        var deps = File.ReadAllText(Path.Combine(app, "bin", "Release", Framework, "Greeter.deps.json"));
        Assert.That(deps, Does.Contain($"\"runtimes/{PortableRid}/lib/{Framework}/MicroGen.dll\""),
            "the app's dependency manifest lists the package's precompiled MicroGen.dll for this platform");

        var hostTrace = Path.Combine(_work, "host-trace.txt");
        var jitLog = Path.Combine(_work, "jit.txt");
        var run = await ExternalProcess.RunAsync("dotnet", app, TimeSpan.FromMinutes(1), new Dictionary<string, string>
        {
            ["MICROGEN_REGISTRY_DIR"] = Path.Combine(_work, "registry"),
            ["COREHOST_TRACE"] = "1",
            ["COREHOST_TRACEFILE"] = hostTrace,
            ["DOTNET_JitStdOutFile"] = jitLog,
            ["DOTNET_JitDisasmSummary"] = "1",
        }, Path.Combine("bin", "Release", Framework, "Greeter.dll"));

        Assert.That(run.ExitCode, Is.Zero, run.Output);
        Assert.That(run.Output, Does.Contain("Hello world (greeting #1)"));
        Assert.That(run.Output, Does.Contain("stopped cleanly"));
        Assert.That(File.ReadAllText(hostTrace), Does.Match(
            $@"Processing TPA for deps entry \[MicroGen, {Regex.Escape(_version)}, runtimes/{PortableRid}/lib/{Framework}/MicroGen\.dll"),
            "the host resolved MicroGen.dll to the package's runtimes/<rid> asset");
        // With the IL the same run JIT-compiles over a thousand of MicroGen's methods at tier 0 (client
        // and server processes); with the precompiled image only instantiations over value types the
        // image could not foresee are left.
        var microGenTier0 = File.ReadLines(jitLog)
            .Where(line => line.Contains("JIT compiled MicroGen.", StringComparison.Ordinal)
                           && !line.Contains("JIT compiled MicroGen.Generated.", StringComparison.Ordinal)
                           && line.Contains("Tier0", StringComparison.Ordinal))
            .ToArray();
        Assert.That(File.ReadLines(jitLog).Count(line => line.Contains("JIT compiled ", StringComparison.Ordinal)), Is.GreaterThan(100),
            "the runtime wrote its JIT summary");
        Assert.That(microGenTier0, Has.Length.LessThan(100), string.Join("\n", microGenTier0.Take(40)));
    }

    private static (bool ReadyToRun, Guid Mvid) Inspect(ZipArchive zip, string entry)
    {
        using var copy = new MemoryStream();
        using (var stream = zip.GetEntry(entry)!.Open())
        {
            stream.CopyTo(copy);
        }
        copy.Position = 0;
        using var pe = new PEReader(copy);
        var metadata = pe.GetMetadataReader();
        var readyToRun = pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
        return (readyToRun, metadata.GetGuid(metadata.GetModuleDefinition().Mvid));
    }
}
