using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Bench.Load.Systems;

namespace MicroGen.Bench.Load;

/// <summary>
/// Start-up: the time from starting a fresh client process to its first verified reply, measured
/// by the parent (process creation, runtime start, JIT, connect, first call) and by the child
/// itself (from the OS's process start time). Median of several fresh processes.
/// </summary>
internal static class Startup
{
    /// <summary>
    /// The systems <c>MicroGen.Bench.Startup</c> knows (it has no server; its floor is one socket, one
    /// frame out and one in, the least a first reply can cost in that build).
    /// </summary>
    public static bool HasNativeClient(string system) =>
        system is BenchSystems.MicroGenMsgPack or BenchSystems.MicroGenProtobuf or BenchSystems.Grpc or BenchSystems.Floor;

    /// <summary>One start-up series: a system's client in one build, calling that system's running server.</summary>
    /// <param name="System">The system whose client starts.</param>
    /// <param name="Server">The running server it calls.</param>
    /// <param name="Client">A built <c>MicroGen.Bench.Startup</c> (Native AOT, ReadyToRun, or JIT on the MicroGen package), or null for the harness's own client.</param>
    /// <param name="Build">How the client was built: <c>jit</c> (the harness), <c>jit-package</c>, <c>ready-to-run</c> or <c>native-aot</c>.</param>
    public sealed record Series(IBenchSystem System, ServerProcess Server, string? Client, string Build);

    /// <summary>
    /// Median start-up of each series over <paramref name="repetitions"/> fresh client processes. The
    /// series take turns (one process of each per round), so a machine that gets busier or quieter
    /// during the measurement moves every series alike and the ratios between them stay fair.
    /// </summary>
    public static async Task<IReadOnlyList<(Series Series, Measurement Result, string Detail)>> MeasureAsync(IReadOnlyList<Series> series, Payload payload, int repetitions)
    {
        var wall = series.Select(_ => new double[repetitions]).ToArray();
        var own = series.Select(_ => new double[repetitions]).ToArray();
        var failures = new string?[series.Count];
        for (var round = 0; round < repetitions; round++)
        {
            for (var i = 0; i < series.Count; i++)
            {
                if (failures[i] is not null)
                {
                    continue;
                }
                try
                {
                    (wall[i][round], own[i][round]) = await RunOnceAsync(series[i], payload).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
                {
                    failures[i] = e.Message;
                }
            }
        }
        var results = new List<(Series, Measurement, string)>();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (failures[i] is { } failure)
            {
                results.Add((s, new Measurement { System = s.System.Name, Scenario = "startup", Concurrency = 1, Payload = payload.Size, ClientBuild = s.Build, Note = $"failed: {failure}" }, $"failed: {failure}"));
                continue;
            }
            var result = new Measurement
            {
                System = s.System.Name,
                Scenario = "startup",
                Concurrency = 1,
                Payload = payload.Size,
                StartupMs = Median(wall[i]),
                StartupInProcessMs = Median(own[i]),
                Calls = repetitions,
                ClientBuild = s.Build,
            };
            var detail = string.Create(CultureInfo.InvariantCulture,
                $"median {Median(wall[i]):0} ms from Process.Start to first reply (runs: {string.Join(", ", wall[i].Select(w => w.ToString("0", CultureInfo.InvariantCulture)))}); " +
                $"in-process from OS start time: median {Median(own[i]):0} ms");
            results.Add((s, result, detail));
        }
        return results;
    }

    private static async Task<(double Wall, double InProcess)> RunOnceAsync(Series series, Payload payload)
    {
        var size = payload.Size.ToString(CultureInfo.InvariantCulture);
        ProcessStartInfo start;
        if (series.Client is null)
        {
            start = ServerProcess.SelfCommand("startup-client", series.System.Name, series.Server.Address, size);
        }
        else
        {
            start = new ProcessStartInfo(series.Client) { UseShellExecute = false };
            foreach (var arg in new[] { series.System.Name, series.Server.Address, size })
            {
                start.ArgumentList.Add(arg);
            }
        }
        start.RedirectStandardOutput = true;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the client process");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)) is not null
               && !line.StartsWith("FIRST_REPLY ", StringComparison.Ordinal))
        {
        }
        var wall = watch.Elapsed.TotalMilliseconds;
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (line is null || !line.StartsWith("FIRST_REPLY ok ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the {series.System.Name} start-up client ({series.Build}) failed: {line ?? $"exit code {process.ExitCode}"}");
        }
        return (wall, double.Parse(line["FIRST_REPLY ok ".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>The <c>startup-client</c> mode: connect, one call, report, exit.</summary>
    public static async Task<int> RunClientAsync(string systemName, string address, int payloadSize)
    {
        // MICROGEN_BENCH_STARTUP_TRACE=1: stage times and loaded assemblies on standard error (diagnosis only).
        var trace = Environment.GetEnvironmentVariable("MICROGEN_BENCH_STARTUP_TRACE") == "1";
        var entered = Stopwatch.GetTimestamp();
        var system = BenchSystems.Get(systemName);
        var payload = new Payload(payloadSize);
        var client = await system.ConnectAsync(address).ConfigureAwait(false);
        var created = Stopwatch.GetTimestamp();
        bool ok;
        long callerCreated;
        try
        {
            var caller = client.CreateCaller(0, payload);
            callerCreated = Stopwatch.GetTimestamp();
            ok = await caller.CallAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Console.Out.WriteLine($"FIRST_REPLY failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        var replied = Stopwatch.GetTimestamp();
        using var self = Process.GetCurrentProcess();
        var sinceStart = (DateTime.Now - self.StartTime).TotalMilliseconds;
        var measured = Stopwatch.GetTimestamp();
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIRST_REPLY {(ok ? "ok" : "wrong-content")} {sinceStart:0.0}"));
        Console.Out.Flush();
        if (trace)
        {
            var main = sinceStart - Stopwatch.GetElapsedTime(entered, measured).TotalMilliseconds;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"TRACE to-main {main:0.0} create-client {Stopwatch.GetElapsedTime(entered, created).TotalMilliseconds:0.0} create-caller {Stopwatch.GetElapsedTime(created, callerCreated).TotalMilliseconds:0.0} first-call {Stopwatch.GetElapsedTime(callerCreated, replied).TotalMilliseconds:0.0} start-time {Stopwatch.GetElapsedTime(replied, measured).TotalMilliseconds:0.0} " +
                $"jit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0} ms"));
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                Console.Error.WriteLine("TRACE assembly " + assembly.GetName().Name);
            }
        }
        var disposing = Stopwatch.GetTimestamp();
        await client.DisposeAsync().ConfigureAwait(false);
        if (trace)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TRACE dispose {Stopwatch.GetElapsedTime(disposing).TotalMilliseconds:0.0}"));
        }
        return ok ? 0 : 1;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
