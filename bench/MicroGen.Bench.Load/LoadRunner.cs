using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Bench.Load.Systems;

namespace MicroGen.Bench.Load;

/// <summary>
/// Closed-loop load: N workers each make one call at a time, back to back, for the warm-up and
/// then the measurement window. Only verified replies count; latencies go into per-worker
/// histograms; allocation and CPU are deltas of both processes across the window.
/// </summary>
internal static class LoadRunner
{
    private const int Stride = 16; // longs per worker counter slot: keeps workers off each other's cache lines

    public static async Task<Measurement> RunUnaryAsync(
        IBenchSystem system, IBenchClient client, ServerProcess server, int concurrency, Payload payload,
        TimeSpan warmup, TimeSpan measure, TimeSpan window, long clientUserBytes, long serverUserBytes, Action<string>? progress = null)
    {
        var state = new RunState(concurrency);
        var callers = new UnaryCaller[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            callers[i] = client.CreateCaller(i, payload);
        }
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var index = i;
            workers[i] = Task.Run(() => WorkerAsync(callers[index], state, index));
        }

        await Task.Delay(warmup).ConfigureAwait(false);

        if (AllocationProfiler.Enabled)
        {
            await server.AllocationsAsync().ConfigureAwait(false);
            AllocationProfiler.Reset();
        }
        var serverBefore = await server.MarkAsync().ConfigureAwait(false);
        var clientBefore = ProcessMark.Now();
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref state.Measuring, true);

        var rates = await SampleAsync(state, measure, window).ConfigureAwait(false);

        Volatile.Write(ref state.Measuring, false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var clientAfter = ProcessMark.Now();
        var serverAfter = await server.MarkAsync().ConfigureAwait(false);
        if (AllocationProfiler.Enabled)
        {
            progress?.Invoke($"  client allocations: {AllocationProfiler.Top(12)}");
            progress?.Invoke($"  server allocations: {await server.AllocationsAsync().ConfigureAwait(false)}");
        }

        Volatile.Write(ref state.Stop, true);
        var all = Task.WhenAll(workers);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false) != all)
        {
            progress?.Invoke("  warning: workers did not stop within 30 s");
        }

        var histogram = new LatencyHistogram();
        foreach (var h in state.Histograms)
        {
            histogram.Add(h);
        }
        var calls = state.TotalCalls();
        var errors = state.TotalErrors();
        if (state.FirstError is { } first)
        {
            progress?.Invoke($"  {errors} error(s); first: {first.GetType().Name}: {first.Message}");
        }
        return new Measurement
        {
            System = system.Name,
            Scenario = "unary",
            Concurrency = concurrency,
            Payload = payload.Size,
            Rps = calls / elapsed.TotalSeconds,
            P50Us = histogram.QuantileMicros(0.50),
            P99Us = histogram.QuantileMicros(0.99),
            // GC.GetTotalAllocatedBytes was seen to step back under Server GC in some windows: such a
            // window's figure is unknown (NaN), and the best-of-rounds selection takes another round's.
            ClientAllocPerCall = PerCall(clientAfter.AllocatedBytes - clientBefore.AllocatedBytes, calls, "client", progress),
            ServerAllocPerCall = PerCall(serverAfter.AllocatedBytes - serverBefore.AllocatedBytes, calls, "server", progress),
            CpuSecondsPer1k = calls == 0 ? 0 : ((clientAfter.Cpu - clientBefore.Cpu) + (serverAfter.Cpu - serverBefore.Cpu)).TotalSeconds / calls * 1000,
            Errors = errors,
            Calls = calls,
            Seconds = elapsed.TotalSeconds,
            ClientUserBytes = clientUserBytes,
            ServerUserBytes = serverUserBytes,
            RateCv = CoefficientOfVariation(rates),
        };
    }

    /// <summary>
    /// Warms a system at <paramref name="concurrency"/> for at least <paramref name="least"/>, then
    /// up to <paramref name="extra"/> more until three consecutive one-second rates are within 5%.
    /// </summary>
    public static async Task<string> WarmAsync(IBenchClient client, int concurrency, Payload payload, TimeSpan least, TimeSpan extra)
    {
        var state = new RunState(concurrency);
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var caller = client.CreateCaller(i, payload);
            var index = i;
            workers[i] = Task.Run(() => WorkerAsync(caller, state, index));
        }
        Volatile.Write(ref state.Measuring, true);
        var window = TimeSpan.FromSeconds(least < TimeSpan.FromSeconds(3) ? 0.25 : 1);
        var rates = new List<double>();
        var started = Stopwatch.GetTimestamp();
        var last = state.TotalCalls();
        var lastTime = started;
        var steady = false;
        while (true)
        {
            await Task.Delay(window).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            var calls = state.TotalCalls();
            rates.Add((calls - last) / Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds);
            last = calls;
            lastTime = now;
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed < least)
            {
                continue;
            }
            var recent = rates.TakeLast(3).ToArray();
            steady = recent.Length == 3 && recent.Max() - recent.Min() <= 0.05 * recent.Average();
            if (steady || elapsed >= least + extra)
            {
                break;
            }
        }
        Volatile.Write(ref state.Stop, true);
        await Task.WhenAll(workers).ConfigureAwait(false);
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var tail = rates.TakeLast(3).ToArray();
        return $"warmed {total:0.0} s at c={concurrency}, last rates {string.Join(" / ", tail.Select(r => r.ToString("N0")))}/s" +
               (steady ? ", steady" : least < TimeSpan.FromSeconds(3) ? "" : ", not steady within the limit") +
               (state.TotalErrors() > 0 ? $", {state.TotalErrors()} errors ({state.FirstError?.Message})" : "");
    }

    /// <summary>One server stream read end to end; returns messages/s with both sides' costs per message.</summary>
    public static async Task<Measurement> RunStreamAsync(
        IBenchSystem system, IBenchClient client, ServerProcess server, Payload payload, TimeSpan measure, bool quick)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Calibrate (and warm), then size the measured stream to last about the measurement time.
        var calibration = quick ? 20_000 : 200_000;
        var calibrationStart = Stopwatch.GetTimestamp();
        var got = await client.StreamAsync(payload, calibration, timeout.Token).ConfigureAwait(false);
        var rate = got / Stopwatch.GetElapsedTime(calibrationStart).TotalSeconds;
        if (!quick)
        {
            got = await client.StreamAsync(payload, (int)Math.Clamp(rate * 2, 10_000, 50_000_000), timeout.Token).ConfigureAwait(false);
        }
        var count = (int)Math.Clamp(rate * measure.TotalSeconds, 10_000, 200_000_000);

        var serverBefore = await server.MarkAsync().ConfigureAwait(false);
        var clientBefore = ProcessMark.Now();
        var started = Stopwatch.GetTimestamp();
        var received = await client.StreamAsync(payload, count, timeout.Token).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var clientAfter = ProcessMark.Now();
        var serverAfter = await server.MarkAsync().ConfigureAwait(false);
        return new Measurement
        {
            System = system.Name,
            Scenario = "server-stream",
            Concurrency = 1,
            Payload = payload.Size,
            Rps = received / elapsed.TotalSeconds,
            ClientAllocPerCall = (double)(clientAfter.AllocatedBytes - clientBefore.AllocatedBytes) / Math.Max(received, 1),
            ServerAllocPerCall = (double)(serverAfter.AllocatedBytes - serverBefore.AllocatedBytes) / Math.Max(received, 1),
            CpuSecondsPer1k = ((clientAfter.Cpu - clientBefore.Cpu) + (serverAfter.Cpu - serverBefore.Cpu)).TotalSeconds / Math.Max(received, 1) * 1000,
            Errors = count - received,
            Calls = received,
            Seconds = elapsed.TotalSeconds,
        };
    }

    private static double PerCall(long bytes, long calls, string side, Action<string>? progress)
    {
        if (calls == 0)
        {
            return 0;
        }
        if (bytes < 0)
        {
            progress?.Invoke($"  note: the {side}'s allocated-bytes counter stepped back by {-bytes:N0} B in this window; its figure is left out");
            return double.NaN;
        }
        return (double)bytes / calls;
    }

    private static async Task<double[]> SampleAsync(RunState state, TimeSpan measure, TimeSpan window)
    {
        var rates = new List<double>();
        var started = Stopwatch.GetTimestamp();
        var last = state.TotalCalls();
        var lastTime = started;
        while (true)
        {
            var remaining = measure - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }
            await Task.Delay(remaining < window ? remaining : window).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            var calls = state.TotalCalls();
            var seconds = Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
            if (seconds > window.TotalSeconds / 2)
            {
                rates.Add((calls - last) / seconds);
            }
            last = calls;
            lastTime = now;
        }
        return rates.ToArray();
    }

    private static double CoefficientOfVariation(double[] values)
    {
        if (values.Length < 2)
        {
            return 0;
        }
        var mean = values.Average();
        if (mean <= 0)
        {
            return 0;
        }
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return Math.Sqrt(variance) / mean;
    }

    private static async Task WorkerAsync(UnaryCaller caller, RunState state, int index)
    {
        var histogram = state.Histograms[index];
        var slot = index * Stride;
        while (!Volatile.Read(ref state.Stop))
        {
            var start = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                ok = await caller.CallAsync().ConfigureAwait(false);
                if (!ok)
                {
                    state.NoteError(new InvalidOperationException("a reply had the wrong content"));
                }
            }
            catch (Exception e)
            {
                ok = false;
                state.NoteError(e);
            }
            var end = Stopwatch.GetTimestamp();
            if (Volatile.Read(ref state.Measuring))
            {
                if (ok)
                {
                    histogram.RecordTicks(end - start);
                    state.Calls[slot]++;
                }
                else
                {
                    state.Errors[slot]++;
                }
            }
            if (!ok)
            {
                // A broken path must not spin: back off a little after a failure.
                await Task.Delay(10).ConfigureAwait(false);
            }
        }
    }

    private sealed class RunState(int workers)
    {
        public readonly long[] Calls = new long[workers * Stride];
        public readonly long[] Errors = new long[workers * Stride];
        public readonly LatencyHistogram[] Histograms = Enumerable.Range(0, workers).Select(_ => new LatencyHistogram()).ToArray();
        public bool Measuring;
        public bool Stop;
        private Exception? _firstError;

        public Exception? FirstError => Volatile.Read(ref _firstError);

        public void NoteError(Exception e) => Interlocked.CompareExchange(ref _firstError, e, null);

        public long TotalCalls()
        {
            long sum = 0;
            for (var i = 0; i < Calls.Length; i += Stride)
            {
                sum += Volatile.Read(ref Calls[i]);
            }
            return sum;
        }

        public long TotalErrors()
        {
            long sum = 0;
            for (var i = 0; i < Errors.Length; i += Stride)
            {
                sum += Volatile.Read(ref Errors[i]);
            }
            return sum;
        }
    }
}
