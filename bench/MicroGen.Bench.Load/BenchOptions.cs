using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MicroGen.Bench.Load.Systems;

namespace MicroGen.Bench.Load;

/// <summary>The command line of a load run.</summary>
internal sealed class BenchOptions
{
    public bool Quick { get; private set; }

    public string? JsonPath { get; private set; }

    public IReadOnlyList<string> Systems { get; private set; } = BenchSystems.All;

    public IReadOnlyList<int> Concurrency { get; private set; } = [1, 16, 64, 256];

    public IReadOnlyList<int> Payloads { get; private set; } = [16, 4096];

    public bool Unary { get; private set; } = true;

    public bool Stream { get; private set; } = true;

    public bool Startup { get; private set; } = true;

    /// <summary>The least time each system is warmed before its first measurement.</summary>
    public TimeSpan SystemWarmup { get; private set; }

    /// <summary>The most extra time a system may be warmed while its rate is not yet steady.</summary>
    public TimeSpan SystemWarmupExtra { get; private set; }

    public TimeSpan PointWarmup { get; private set; }

    public TimeSpan Measure { get; private set; }

    public TimeSpan SampleWindow { get; private set; }

    public int StartupRepetitions { get; private set; }

    /// <summary>A Native AOT build of <c>MicroGen.Bench.Startup</c>, timed beside the harness's own start-up client.</summary>
    public string? StartupNative { get; private set; }

    /// <summary>A ReadyToRun build of <c>MicroGen.Bench.Startup</c> (JIT with precompiled code), timed the same way.</summary>
    public string? StartupReadyToRun { get; private set; }

    /// <summary>
    /// A framework-dependent (JIT) build of <c>MicroGen.Bench.Startup</c> against the packed MicroGen
    /// package, whose MicroGen.dll is the package's ReadyToRun asset for this platform.
    /// </summary>
    public string? StartupPackage { get; private set; }

    /// <summary>How many times every unary point is measured (interleaved across systems); the best round is kept.</summary>
    public int Rounds { get; private set; }

    public int StreamPayload => Payloads.Min();

    public static string Usage => """
        MicroGen load harness: MicroGen over TCP vs grpc-dotnet vs a raw-socket floor, side by side.

        usage: MicroGen.Bench.Load [options]
          --quick                 a short run (under 90 s); its ratios are indicative only
          --json PATH             write every measurement as a JSON array of objects to PATH
          --systems a,b           of: microgen-msgpack, microgen-protobuf, grpc-dotnet, floor (default: all),
                                  and microgen-manual, microgen-registry (opt-in, see bench/README.md)
          --concurrency 1,16      closed-loop callers (default: 1,16,64,256)
          --payload 16,4096       request payload bytes (default: 16,4096)
          --scenarios s,t         of: unary, server-stream, startup (default: all)
          --measure SECONDS       measurement time per point and round (default: 3, quick: 1)
          --warmup SECONDS        least warm-up per system (default: 15, quick: 1.5)
          --rounds N              measure every unary point N times, interleaved across systems,
                                  and keep the round with the highest rate (default: 2, quick: 1)
          --startup-native PATH   also time start-up with this Native AOT client (publish
                                  bench/MicroGen.Bench.Startup with -p:NativeAot=true; see README)
          --startup-r2r PATH      also time start-up with this ReadyToRun client (publish
                                  bench/MicroGen.Bench.Startup with -p:PublishReadyToRun=true)
          --startup-package PATH  also time start-up with this JIT client built against the
                                  MicroGen package (bench/build-startup-package-client.sh)
        internal modes: server <system> | startup-client <system> <address> <payload>
        verdicts <run.json>...  the ratios of each full run and how many met each target (oldest first)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        double? measure = null;
        double? warmup = null;
        int? rounds = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick":
                    options.Quick = true;
                    break;
                case "--json":
                    options.JsonPath = Next();
                    break;
                case "--systems":
                    options.Systems = Split(Next()).ToArray();
                    foreach (var system in options.Systems)
                    {
                        _ = BenchSystems.Get(system);
                    }
                    break;
                case "--concurrency":
                    options.Concurrency = Split(Next()).Select(ParseInt).ToArray();
                    break;
                case "--payload":
                    options.Payloads = Split(Next()).Select(ParseSize).ToArray();
                    break;
                case "--scenarios":
                    var scenarios = Split(Next()).ToHashSet(StringComparer.Ordinal);
                    options.Unary = scenarios.Remove("unary");
                    options.Stream = scenarios.Remove("server-stream");
                    options.Startup = scenarios.Remove("startup");
                    if (scenarios.Count > 0)
                    {
                        throw new ArgumentException($"unknown scenario(s): {string.Join(", ", scenarios)}");
                    }
                    break;
                case "--measure":
                    measure = double.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = ParseInt(Next());
                    break;
                case "--warmup":
                    warmup = double.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--startup-native":
                    options.StartupNative = System.IO.Path.GetFullPath(Next());
                    if (!System.IO.File.Exists(options.StartupNative))
                    {
                        throw new ArgumentException($"--startup-native: {options.StartupNative} does not exist");
                    }
                    break;
                case "--startup-r2r":
                    options.StartupReadyToRun = System.IO.Path.GetFullPath(Next());
                    if (!System.IO.File.Exists(options.StartupReadyToRun))
                    {
                        throw new ArgumentException($"--startup-r2r: {options.StartupReadyToRun} does not exist");
                    }
                    break;
                case "--startup-package":
                    options.StartupPackage = System.IO.Path.GetFullPath(Next());
                    if (!System.IO.File.Exists(options.StartupPackage))
                    {
                        throw new ArgumentException($"--startup-package: {options.StartupPackage} does not exist");
                    }
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (options.Concurrency.Any(c => c < 1 || c > 4000))
        {
            throw new ArgumentException("concurrency must be between 1 and 4000");
        }
        options.SystemWarmup = TimeSpan.FromSeconds(warmup ?? (options.Quick ? 1.5 : 15));
        options.SystemWarmupExtra = options.Quick ? TimeSpan.Zero : TimeSpan.FromSeconds(15);
        options.PointWarmup = TimeSpan.FromSeconds(options.Quick ? 0.25 : 1);
        options.Measure = TimeSpan.FromSeconds(measure ?? (options.Quick ? 1 : 3));
        options.Rounds = Math.Max(1, rounds ?? (options.Quick ? 1 : 2));
        options.SampleWindow = TimeSpan.FromSeconds(options.Quick ? 0.25 : 1);
        options.StartupRepetitions = options.Quick ? 3 : 11;
        return options;
    }

    private static IEnumerable<string> Split(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ParseInt(string value) => int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int ParseSize(string value)
    {
        var lower = value.ToLowerInvariant();
        if (lower.EndsWith("kib", StringComparison.Ordinal) || lower.EndsWith('k'))
        {
            return ParseInt(lower.TrimEnd('b', 'i', 'k')) * 1024;
        }
        return ParseInt(lower.TrimEnd('b'));
    }
}
