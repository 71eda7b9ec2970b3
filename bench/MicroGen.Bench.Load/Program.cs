using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using MicroGen.Bench.Load;
using MicroGen.Bench.Load.Systems;

AllocationProfiler.StartIfEnabled();

// Internal modes: the server side of a system, and a fresh client for start-up timing.
if (args.Length >= 2 && args[0] == "server")
{
    return await ServerProcess.RunServerAsync(args[1]);
}
if (args.Length >= 4 && args[0] == "startup-client")
{
    return await Startup.RunClientAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
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
Console.WriteLine($"per point: {options.PointWarmup.TotalSeconds:0.##} s warm-up + {options.Measure.TotalSeconds:0.##} s measured; each system warmed ≥ {options.SystemWarmup.TotalSeconds:0.#} s first");
Console.WriteLine();

var results = new List<Measurement>();
var payloads = options.Payloads.Select(p => new Payload(p)).ToArray();
foreach (var name in options.Systems)
{
    var system = BenchSystems.Get(name);
    Console.WriteLine($"== {name}");
    ServerProcess server;
    try
    {
        server = await ServerProcess.StartAsync(name);
    }
    catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
    {
        Console.WriteLine($"  unavailable: {e.Message}");
        AddUnavailable(results, options, name, $"unavailable: {e.Message}");
        continue;
    }
    await using (server)
    {
        if (server.Settings != settings)
        {
            Console.WriteLine($"  WARNING: the server runs with different settings: {server.Settings}");
        }
        IBenchClient client;
        try
        {
            client = await system.ConnectAsync(server.Address);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            Console.WriteLine($"  unavailable: {e.Message}");
            AddUnavailable(results, options, name, $"unavailable: {e.Message}");
            continue;
        }
        Console.WriteLine($"  server at {server.Address}");
        await using (client)
        {
            if (options.Unary)
            {
                var warmConcurrency = options.Concurrency.Where(c => c <= 64).DefaultIfEmpty(options.Concurrency.Min()).Max();
                Console.WriteLine("  " + await LoadRunner.WarmAsync(client, warmConcurrency, payloads[0], options.SystemWarmup, options.SystemWarmupExtra));
                foreach (var payload in payloads)
                {
                    var clientUser = system.ClientUserBytes(payload);
                    var serverUser = await server.UserBytesAsync(payload.Size);
                    foreach (var concurrency in options.Concurrency)
                    {
                        var m = await LoadRunner.RunUnaryAsync(system, client, server, concurrency, payload,
                            options.PointWarmup, options.Measure, options.SampleWindow, clientUser, serverUser, Console.WriteLine);
                        results.Add(m);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  unary c={concurrency,-3} {payload,-6} {m.Rps,10:N0} req/s  p50 {m.P50Us,7:N0} µs  p99 {m.P99Us,7:N0} µs  client {m.ClientAllocPerCall,6:N0} B  server {m.ServerAllocPerCall,6:N0} B  cpu {m.CpuSecondsPer1k:0.000} s/1k  errors {m.Errors}"));
                    }
                }
            }
            if (options.Stream)
            {
                var payload = new Payload(options.StreamPayload);
                if (system.StreamingUnsupported is { } why)
                {
                    Console.WriteLine($"  server-stream: {why}");
                    results.Add(new Measurement { System = name, Scenario = "server-stream", Concurrency = 1, Payload = payload.Size, Note = why });
                }
                else
                {
                    try
                    {
                        var m = await LoadRunner.RunStreamAsync(system, client, server, payload, options.Measure, options.Quick);
                        results.Add(m);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  server-stream {payload}: {m.Rps:N0} msg/s  client {m.ClientAllocPerCall:N1} B/msg  server {m.ServerAllocPerCall:N1} B/msg  cpu {m.CpuSecondsPer1k:0.0000} s/1k"));
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine($"  server-stream failed: {e.GetType().Name}: {e.Message}");
                        results.Add(new Measurement { System = name, Scenario = "server-stream", Concurrency = 1, Payload = payload.Size, Errors = 1, Note = $"failed: {e.Message}" });
                    }
                }
            }
        }
        if (options.Startup)
        {
            try
            {
                var (m, detail) = await Startup.MeasureAsync(system, server, payloads[0], options.StartupRepetitions);
                results.Add(m);
                Console.WriteLine($"  start-up: {detail}");
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                Console.WriteLine($"  start-up failed: {e.Message}");
                results.Add(new Measurement { System = name, Scenario = "startup", Concurrency = 1, Payload = payloads[0].Size, Note = $"failed: {e.Message}" });
            }
        }
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
