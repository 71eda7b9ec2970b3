using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using MicroGen.Bench.Load.Systems;

namespace MicroGen.Bench.Load;

/// <summary>Prints the results as Markdown tables and writes the JSON.</summary>
internal static class Report
{
    public static string Tables(IReadOnlyList<Measurement> results, bool quick)
    {
        var text = new StringBuilder();
        var unary = results.Where(r => r.Scenario == "unary").ToList();
        if (unary.Count > 0)
        {
            text.AppendLine("### Unary SayHello (closed loop)");
            text.AppendLine();
            text.AppendLine("| system | conc | payload | req/s | p50 µs | p99 µs | client B/call | server B/call | CPU s/1k calls | errors | rate CV |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in unary.OrderBy(r => r.Payload).ThenBy(r => r.Concurrency).ThenBy(r => BenchSystems.Rank(r.System)))
            {
                text.AppendLine(r.HasFigures
                    ? Inv($"| {r.System} | {r.Concurrency} | {Payload.Format(r.Payload)} | {r.Rps:N0} | {r.P50Us:N0} | {r.P99Us:N0} | {r.ClientAllocPerCall:N0} | {r.ServerAllocPerCall:N0} | {r.CpuSecondsPer1k:0.000} | {r.Errors} | {r.RateCv:P0} |")
                    : Inv($"| {r.System} | {r.Concurrency} | {Payload.Format(r.Payload)} | {r.Note ?? "no verified reply"} | | | | | | {r.Errors} | |"));
            }
            text.AppendLine();
            AppendRatios(text, unary);
            AppendOverhead(text, unary);
        }

        var streams = results.Where(r => r.Scenario == "server-stream").ToList();
        if (streams.Count > 0)
        {
            text.AppendLine("### Server streaming (one stream, messages/s)");
            text.AppendLine();
            text.AppendLine("| system | payload | msg/s | client B/msg | server B/msg | CPU s/1k msgs | errors | vs grpc-dotnet | vs floor |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in streams.OrderBy(r => BenchSystems.Rank(r.System)))
            {
                if (!r.HasFigures)
                {
                    text.AppendLine(Inv($"| {r.System} | {Payload.Format(r.Payload)} | {r.Note ?? "no verified message"} | | | | | | |"));
                    continue;
                }
                var grpc = streams.FirstOrDefault(s => s.System == BenchSystems.Grpc && s.HasFigures);
                var floor = streams.FirstOrDefault(s => s.System == BenchSystems.Floor && s.HasFigures);
                text.AppendLine(Inv($"| {r.System} | {Payload.Format(r.Payload)} | {r.Rps:N0} | {r.ClientAllocPerCall:N1} | {r.ServerAllocPerCall:N1} | {r.CpuSecondsPer1k:0.0000} | {r.Errors} | {Ratio(r.Rps, grpc?.Rps)} | {Ratio(r.Rps, floor?.Rps)} |"));
            }
            text.AppendLine();
        }

        var startups = results.Where(r => r.Scenario == "startup").ToList();
        if (startups.Count > 0)
        {
            text.AppendLine("### Start-up (fresh client process to first reply, median)");
            text.AppendLine();
            text.AppendLine("| system | client build | runs | Process.Start → first reply | in-process (from OS start time) | vs grpc-dotnet (same build) | vs floor (same build) |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var r in startups.OrderBy(r => r.ClientBuild switch { "jit" => 0, "jit-package" => 1, "ready-to-run" => 2, _ => 3 }).ThenBy(r => BenchSystems.Rank(r.System)))
            {
                var grpc = startups.FirstOrDefault(s => s.System == BenchSystems.Grpc && s.ClientBuild == r.ClientBuild && s.Note is null);
                var floor = startups.FirstOrDefault(s => s.System == BenchSystems.Floor && s.ClientBuild == r.ClientBuild && s.Note is null);
                text.AppendLine(r.Note is null
                    ? Inv($"| {r.System} | {r.ClientBuild} | {r.Calls} | {r.StartupMs:N0} ms | {r.StartupInProcessMs:N0} ms | {(grpc is null ? "–" : $"{r.StartupMs / grpc.StartupMs:0.00}×")} | {(floor is null ? "–" : $"{r.StartupMs / floor.StartupMs:0.00}×")} |")
                    : Inv($"| {r.System} | {r.ClientBuild} | | {r.Note} | | | |"));
            }
            text.AppendLine();
        }
        if (quick)
        {
            text.AppendLine("**--quick: short warm-up and measurement windows; these ratios are indicative only.**");
        }
        return text.ToString();
    }

    public static void WriteJson(string path, IReadOnlyList<Measurement> results, string machine)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("system", r.System);
            json.WriteString("scenario", r.Scenario);
            json.WriteNumber("concurrency", r.Concurrency);
            json.WriteNumber("payload", r.Payload);
            if (r.Scenario == "startup")
            {
                if (r.Note is null)
                {
                    json.WriteNumber("startup_ms", Math.Round(r.StartupMs, 1));
                    json.WriteNumber("startup_in_process_ms", Math.Round(r.StartupInProcessMs, 1));
                    json.WriteNumber("runs", r.Calls);
                    json.WriteString("client_build", r.ClientBuild);
                }
            }
            else if (r.HasFigures)
            {
                json.WriteNumber("rps", Math.Round(r.Rps, 1));
                json.WriteNumber("p50_us", Math.Round(r.P50Us, 1));
                json.WriteNumber("p99_us", Math.Round(r.P99Us, 1));
                WriteNumberOrNull(json, "client_alloc_per_call", r.ClientAllocPerCall);
                WriteNumberOrNull(json, "server_alloc_per_call", r.ServerAllocPerCall);
                json.WriteNumber("errors", r.Errors);
                json.WriteNumber("cpu_seconds_per_1k_calls", Math.Round(r.CpuSecondsPer1k, 5));
                json.WriteNumber("calls", r.Calls);
                json.WriteNumber("seconds", Math.Round(r.Seconds, 3));
                json.WriteNumber("client_user_bytes_per_call", r.ClientUserBytes);
                json.WriteNumber("server_user_bytes_per_call", r.ServerUserBytes);
                json.WriteNumber("rate_cv", Math.Round(r.RateCv, 4));
            }
            else
            {
                json.WriteNull("rps");
                json.WriteNull("p50_us");
                json.WriteNull("p99_us");
                json.WriteNull("client_alloc_per_call");
                json.WriteNull("server_alloc_per_call");
                json.WriteNumber("errors", r.Errors);
            }
            if (r.Note is not null)
            {
                json.WriteString("note", r.Note);
            }
            json.WriteString("machine", machine);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsNaN(value))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, Math.Round(value, 1));
        }
    }

    private static void AppendRatios(StringBuilder text, List<Measurement> unary)
    {
        var microgen = unary.Where(r => BenchSystems.IsMicroGen(r.System) && r.HasFigures).ToList();
        if (microgen.Count == 0)
        {
            return;
        }
        text.AppendLine("### MicroGen as a ratio to grpc-dotnet and to the floor at the same point");
        text.AppendLine();
        text.AppendLine("(req/s: higher is better; latency, allocation and CPU: lower is better; `x/y` = vs grpc-dotnet / vs floor)");
        text.AppendLine();
        text.AppendLine("| system | conc | payload | req/s | p50 | p99 | client B/call | server B/call | CPU/call |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in microgen.OrderBy(r => r.Payload).ThenBy(r => r.Concurrency).ThenBy(r => r.System, StringComparer.Ordinal))
        {
            var grpc = unary.FirstOrDefault(g => g.System == BenchSystems.Grpc && g.Concurrency == r.Concurrency && g.Payload == r.Payload && g.HasFigures);
            var floor = unary.FirstOrDefault(g => g.System == BenchSystems.Floor && g.Concurrency == r.Concurrency && g.Payload == r.Payload && g.HasFigures);
            string Pair(Func<Measurement, double> figure, double zero = 0) =>
                $"{Ratio(figure(r), grpc is null ? null : figure(grpc), zero)} / {Ratio(figure(r), floor is null ? null : figure(floor), zero)}";
            // The floor allocates nothing per call: a ratio to its allocation is shown as such.
            text.AppendLine(Inv($"| {r.System} | {r.Concurrency} | {Payload.Format(r.Payload)} | {Pair(m => m.Rps)} | {Pair(m => m.P50Us)} | {Pair(m => m.P99Us)} | {Pair(m => m.ClientAllocPerCall, 16)} | {Pair(m => m.ServerAllocPerCall, 16)} | {Pair(m => m.CpuSecondsPer1k)} |"));
        }
        text.AppendLine();
    }

    private static void AppendOverhead(StringBuilder text, List<Measurement> unary)
    {
        var microgen = unary.Where(r => BenchSystems.IsMicroGen(r.System) && r.HasFigures).ToList();
        if (microgen.Count == 0)
        {
            return;
        }
        text.AppendLine("### MicroGen allocation beyond the user's own objects (targets: client ≤ 256 B, server ≤ 128 B)");
        text.AppendLine();
        text.AppendLine("| system | conc | payload | client B/call | of which user objects | framework | server B/call | of which user objects | framework |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in microgen.OrderBy(r => r.Payload).ThenBy(r => r.Concurrency).ThenBy(r => r.System, StringComparer.Ordinal))
        {
            text.AppendLine(Inv($"| {r.System} | {r.Concurrency} | {Payload.Format(r.Payload)} | {r.ClientAllocPerCall:N0} | {r.ClientUserBytes:N0} | {r.ClientAllocPerCall - r.ClientUserBytes:N0} | {r.ServerAllocPerCall:N0} | {r.ServerUserBytes:N0} | {r.ServerAllocPerCall - r.ServerUserBytes:N0} |"));
        }
        text.AppendLine();
    }

    private static string Ratio(double value, double? baseline, double zero = 0) =>
        baseline is not { } b || double.IsNaN(b) || double.IsNaN(value) ? "–" : b <= zero ? "(≈0 B)" : Inv($"{value / b:0.00}×");

    private static string Inv(FormattableString value) => value.ToString(CultureInfo.InvariantCulture).Replace("NaN", "n/a", StringComparison.Ordinal);
}
