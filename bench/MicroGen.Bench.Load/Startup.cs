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
    /// <summary>The systems <c>MicroGen.Bench.Startup</c> knows (it has no server and no floor).</summary>
    public static bool HasNativeClient(string system) =>
        system is BenchSystems.MicroGenMsgPack or BenchSystems.MicroGenProtobuf or BenchSystems.Grpc;

    /// <summary>Median start-up over <paramref name="repetitions"/> fresh client processes calling <paramref name="server"/>.</summary>
    /// <param name="system">The system whose client starts.</param>
    /// <param name="server">The running server it calls.</param>
    /// <param name="payload">The request payload.</param>
    /// <param name="repetitions">How many fresh processes.</param>
    /// <param name="nativeClient">A Native AOT <c>MicroGen.Bench.Startup</c> to run instead of the harness's own client.</param>
    public static async Task<(Measurement Result, string Detail)> MeasureAsync(IBenchSystem system, ServerProcess server, Payload payload, int repetitions, string? nativeClient = null)
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
            ClientBuild = nativeClient is null ? "jit" : "native-aot",
        };
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"median {Median(wall):0} ms from Process.Start to first reply (runs: {string.Join(", ", wall.Select(w => w.ToString("0", CultureInfo.InvariantCulture)))}); " +
            $"in-process from OS start time: median {Median(own):0} ms");
        return (result, detail);
    }

    /// <summary>The <c>startup-client</c> mode: connect, one call, report, exit.</summary>
    public static async Task<int> RunClientAsync(string systemName, string address, int payloadSize)
    {
        var system = BenchSystems.Get(systemName);
        var payload = new Payload(payloadSize);
        var client = await system.ConnectAsync(address).ConfigureAwait(false);
        bool ok;
        try
        {
            ok = await client.CreateCaller(0, payload).CallAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Console.Out.WriteLine($"FIRST_REPLY failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        using var self = Process.GetCurrentProcess();
        var sinceStart = (DateTime.Now - self.StartTime).TotalMilliseconds;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIRST_REPLY {(ok ? "ok" : "wrong-content")} {sinceStart:0.0}"));
        Console.Out.Flush();
        await client.DisposeAsync().ConfigureAwait(false);
        return ok ? 0 : 1;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
