using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using MicroGen.Bench.Load;
using MicroGen.Bench.Load.Systems;

AllocationProfiler.StartIfEnabled();

// Internal modes: the server side of a system, a fresh client for start-up timing, and the
// verdicts over the JSON of full runs (bench/README.md's "Against the targets").
if (args.Length >= 2 && args[0] == "server")
{
    return await ServerProcess.RunServerAsync(args[1]);
}
if (args.Length >= 4 && args[0] == "startup-client")
{
    return await Startup.RunClientAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
}
if (args.Length >= 1 && args[0] == "verdicts")
{
    return Verdicts.Print(args[1..]);
}
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var total = Stopwatch.StartNew();
var settings = RuntimeSettings.Describe();
var machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {settings}";
Console.WriteLine($"MicroGen load harness{(options.Quick ? " (--quick: ratios are indicative only)" : "")}");
Console.WriteLine($"machine: {machine}");
Console.WriteLine($"systems: {string.Join(", ", options.Systems)}; concurrency: {string.Join(",", options.Concurrency)}; payloads: {string.Join(",", options.Payloads.Select(Payload.Format))}");
Console.WriteLine($"per point: {options.PointWarmup.TotalSeconds:0.##} s warm-up + {options.Measure.TotalSeconds:0.##} s measured, systems interleaved, best of {options.Rounds} round(s); each system warmed ≥ {options.SystemWarmup.TotalSeconds:0.#} s first");
Console.WriteLine();

var results = new List<Measurement>();
var payloads = options.Payloads.Select(p => new Payload(p)).ToArray();

// Start every system's server and client first, so that each point can then be measured on all
// systems one right after the other: the noise of a shared machine then hits them alike.
var running = new List<(IBenchSystem System, ServerProcess Server, IBenchClient Client)>();
foreach (var name in options.Systems)
{
    var system = BenchSystems.Get(name);
    ServerProcess? server = null;
    try
    {
        server = await ServerProcess.StartAsync(name);
        if (server.Settings != settings)
        {
            Console.WriteLine($"WARNING: the {name} server runs with different settings: {server.Settings}");
        }
        var client = await system.ConnectAsync(server.Address);
        running.Add((system, server, client));
        Console.WriteLine($"{name}: server at {server.Address}");
    }
    catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
    {
        Console.WriteLine($"{name}: unavailable: {e.Message}");
        AddUnavailable(results, options, name, $"unavailable: {e.Message}");
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

try
{
    if (options.Unary && running.Count > 0)
    {
        var warmConcurrency = options.Concurrency.Where(c => c <= 64).DefaultIfEmpty(options.Concurrency.Min()).Max();
        foreach (var (system, _, client) in running)
        {
            Console.WriteLine($"{system.Name}: " + await LoadRunner.WarmAsync(client, warmConcurrency, payloads[0], options.SystemWarmup, options.SystemWarmupExtra));
        }
        var userBytes = new Dictionary<(string, int), (long Client, long Server)>();
        foreach (var (system, server, _) in running)
        {
            foreach (var payload in payloads)
            {
                userBytes[(system.Name, payload.Size)] = (system.ClientUserBytes(payload), await server.UserBytesAsync(payload.Size));
            }
        }
        var best = new Dictionary<(string, int, int), Measurement>();
        var all = new List<Measurement>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            Console.WriteLine(options.Rounds > 1 ? $"-- unary, round {round} of {options.Rounds}" : "-- unary");
            foreach (var payload in payloads)
            {
                foreach (var concurrency in options.Concurrency)
                {
                    foreach (var (system, server, client) in running)
                    {
                        var (clientUser, serverUser) = userBytes[(system.Name, payload.Size)];
                        var m = await LoadRunner.RunUnaryAsync(system, client, server, concurrency, payload,
                            options.PointWarmup, options.Measure, options.SampleWindow, clientUser, serverUser, Console.WriteLine);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  {system.Name,-17} c={concurrency,-3} {payload,-6} {m.Rps,10:N0} req/s  p50 {m.P50Us,7:N0} µs  p99 {m.P99Us,7:N0} µs  client {m.ClientAllocPerCall,6:N0} B  server {m.ServerAllocPerCall,6:N0} B  cpu {m.CpuSecondsPer1k:0.000} s/1k  errors {m.Errors}"));
                        all.Add(m);
                        var key = (system.Name, payload.Size, concurrency);
                        // Best of the rounds by rate, but a round with errors never hides them.
                        if (!best.TryGetValue(key, out var previous) || (m.Errors > 0 ? m.Errors > previous.Errors : previous.Errors == 0 && m.Rps > previous.Rps))
                        {
                            best[key] = m;
                        }
                    }
                }
            }
        }
        // A window whose allocation counter stepped back has no allocation figure: take another round's.
        foreach (var (key, m) in best.ToArray())
        {
            var others = all.Where(o => (o.System, o.Payload, o.Concurrency) == key).ToArray();
            var client = double.IsNaN(m.ClientAllocPerCall) ? others.Select(o => o.ClientAllocPerCall).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min() : m.ClientAllocPerCall;
            var server = double.IsNaN(m.ServerAllocPerCall) ? others.Select(o => o.ServerAllocPerCall).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min() : m.ServerAllocPerCall;
            best[key] = m with { ClientAllocPerCall = client, ServerAllocPerCall = server };
        }
        results.AddRange(best.Values);
    }

    if (options.Stream)
    {
        Console.WriteLine("-- server streaming");
        var payload = new Payload(options.StreamPayload);
        foreach (var (system, server, client) in running)
        {
            if (system.StreamingUnsupported is { } why)
            {
                Console.WriteLine($"  {system.Name}: {why}");
                results.Add(new Measurement { System = system.Name, Scenario = "server-stream", Concurrency = 1, Payload = payload.Size, Note = why });
                continue;
            }
            try
            {
                var m = await LoadRunner.RunStreamAsync(system, client, server, payload, options.Measure, options.Quick);
                results.Add(m);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {system.Name,-17} {payload}: {m.Rps:N0} msg/s  client {m.ClientAllocPerCall:N1} B/msg  server {m.ServerAllocPerCall:N1} B/msg  cpu {m.CpuSecondsPer1k:0.0000} s/1k"));
            }
            catch (Exception e)
            {
                Console.WriteLine($"  {system.Name}: server-stream failed: {e.GetType().Name}: {e.Message}");
                results.Add(new Measurement { System = system.Name, Scenario = "server-stream", Concurrency = 1, Payload = payload.Size, Errors = 1, Note = $"failed: {e.Message}" });
            }
        }
    }

    if (options.Startup)
    {
        Console.WriteLine("-- start-up (the series take turns, one process each per round)");
        var series = new List<Startup.Series>();
        foreach (var (system, server, _) in running)
        {
            series.Add(new(system, server, null, "jit"));
        }
        foreach (var (client, build) in new[] { (options.StartupPackage, "jit-package"), (options.StartupReadyToRun, "ready-to-run"), (options.StartupNative, "native-aot") })
        {
            if (client is null)
            {
                continue;
            }
            foreach (var (system, server, _) in running)
            {
                if (Startup.HasNativeClient(system.Name))
                {
                    series.Add(new(system, server, client, build));
                }
            }
        }
        foreach (var (s, m, detail) in await Startup.MeasureAsync(series, payloads[0], options.StartupRepetitions))
        {
            results.Add(m);
            Console.WriteLine($"  {s.System.Name} ({s.Build}): {detail}");
        }
    }
}
finally
{
    foreach (var (_, server, client) in running)
    {
        await client.DisposeAsync();
        await server.DisposeAsync();
    }
}

Console.WriteLine();
Console.WriteLine($"## Results ({(options.Quick ? "--quick" : "full run")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {total.Elapsed.TotalSeconds:0} s)");
Console.WriteLine();
Console.WriteLine($"machine: {machine}");
Console.WriteLine();
Console.Write(Report.Tables(results, options.Quick));
if (options.JsonPath is { } path)
{
    Report.WriteJson(path, results, machine);
    Console.WriteLine($"wrote {results.Count} measurements to {path}");
}
return results.Any(r => r.Errors > 0 && r.Note is null) ? 1 : 0;

static void AddUnavailable(List<Measurement> results, BenchOptions options, string name, string note)
{
    if (options.Unary)
    {
        foreach (var payload in options.Payloads)
        {
            foreach (var concurrency in options.Concurrency)
            {
                results.Add(new Measurement { System = name, Scenario = "unary", Concurrency = concurrency, Payload = payload, Note = note });
            }
        }
    }
    if (options.Stream)
    {
        results.Add(new Measurement { System = name, Scenario = "server-stream", Concurrency = 1, Payload = options.StreamPayload, Note = note });
    }
    if (options.Startup)
    {
        results.Add(new Measurement { System = name, Scenario = "startup", Concurrency = 1, Payload = options.Payloads.Min(), Note = note });
    }
}
