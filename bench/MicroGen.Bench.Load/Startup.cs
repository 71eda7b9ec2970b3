using System;
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

    /// <summary>Median start-up over <paramref name="repetitions"/> fresh client processes calling <paramref name="server"/>.</summary>
    /// <param name="system">The system whose client starts.</param>
    /// <param name="server">The running server it calls.</param>
    /// <param name="payload">The request payload.</param>
    /// <param name="repetitions">How many fresh processes.</param>
    /// <param name="nativeClient">A built <c>MicroGen.Bench.Startup</c> (Native AOT, ReadyToRun, or JIT on the MicroGen package) to run instead of the harness's own client.</param>
    /// <param name="build">How <paramref name="nativeClient"/> was built: <c>native-aot</c>, <c>ready-to-run</c> or <c>jit-package</c>.</param>
    public static async Task<(Measurement Result, string Detail)> MeasureAsync(IBenchSystem system, ServerProcess server, Payload payload, int repetitions, string? nativeClient = null, string build = "native-aot")
    {
        var wall = new double[repetitions];
        var own = new double[repetitions];
        for (var i = 0; i < repetitions; i++)
        {
            var size = payload.Size.ToString(CultureInfo.InvariantCulture);
            ProcessStartInfo start;
            if (nativeClient is null)
            {
                start = ServerProcess.SelfCommand("startup-client", system.Name, server.Address, size);
            }
            else
            {
                start = new ProcessStartInfo(nativeClient) { UseShellExecute = false };
                foreach (var arg in new[] { system.Name, server.Address, size })
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
            wall[i] = watch.Elapsed.TotalMilliseconds;
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (line is null || !line.StartsWith("FIRST_REPLY ok ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the {system.Name} start-up client failed: {line ?? $"exit code {process.ExitCode}"}");
            }
            own[i] = double.Parse(line["FIRST_REPLY ok ".Length..], CultureInfo.InvariantCulture);
        }
        var result = new Measurement
        {
            System = system.Name,
            Scenario = "startup",
            Concurrency = 1,
            Payload = payload.Size,
            StartupMs = Median(wall),
            StartupInProcessMs = Median(own),
            Calls = repetitions,
            ClientBuild = nativeClient is null ? "jit" : build,
        };
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"median {Median(wall):0} ms from Process.Start to first reply (runs: {string.Join(", ", wall.Select(w => w.ToString("0", CultureInfo.InvariantCulture)))}); " +
            $"in-process from OS start time: median {Median(own):0} ms");
        return (result, detail);
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
