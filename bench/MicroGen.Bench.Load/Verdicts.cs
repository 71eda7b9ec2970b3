using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MicroGen.Bench.Load;

/// <summary>
/// The <c>verdicts</c> mode: reads the JSON of full runs (oldest first) and prints, as Markdown,
/// MicroGen's ratios in each run and how many runs met each target of issue 5. A target counts as
/// met in a run when both codecs meet it. bench/README.md's "Against the targets" is this output.
/// </summary>
internal static class Verdicts
{
    private static readonly string[] Codecs = ["microgen-msgpack", "microgen-protobuf"];

    private sealed record Run(string Name, Dictionary<(string System, string Scenario, int Concurrency, int Payload, string Build), JsonElement> Points)
    {
        public double Get(string system, string scenario, int concurrency, int payload, string property, string build = "jit") =>
            Points.TryGetValue((system, scenario, concurrency, payload, build), out var point)
            && point.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
                ? value.GetDouble()
                : double.NaN;
    }

    /// <summary>A target of issue 5.</summary>
    /// <param name="Text">Its wording, a table heading.</param>
    /// <param name="Ratio">A codec's ratio in a run (NaN where the run did not measure it).</param>
    /// <param name="Met">Whether a ratio meets the target.</param>
    /// <param name="Column">Its heading in the per-run tables.</param>
    /// <param name="Throughput">Whether it goes in the per-run throughput table (else the latency, stream and start-up one).</param>
    /// <param name="Format">How its figures are written.</param>
    private sealed record Target(string Text, Func<Run, string, double> Ratio, Func<double, bool> Met, string Column, bool Throughput = false, string Format = "0.00");

    public static int Print(IReadOnlyList<string> files)
    {
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: MicroGen.Bench.Load verdicts <run.json>... (oldest first)");
            return 2;
        }
        var runs = files.Select(Load).ToList();
        var targets = new List<Target>();
        foreach (var payload in new[] { 16, 4096 })
        {
            var size = payload == 16 ? "16 B" : "4 KiB";
            foreach (var concurrency in new[] { 16, 64, 256 })
            {
                targets.Add(new($"{size}: req/s ≥ 2.5x grpc-dotnet at c={concurrency}",
                    (run, codec) => run.Get(codec, "unary", concurrency, payload, "rps") / run.Get("grpc-dotnet", "unary", concurrency, payload, "rps"),
                    static ratio => ratio >= 2.5, $"{size} c={concurrency} vs grpc", Throughput: true));
            }
            targets.Add(new($"{size}: req/s ≥ 0.5x the floor at c=16",
                (run, codec) => run.Get(codec, "unary", 16, payload, "rps") / run.Get("floor", "unary", 16, payload, "rps"),
                static ratio => ratio >= 0.5, $"{size} c=16 vs floor", Throughput: true));
            targets.Add(new($"{size}: c=1 p50 ≤ 1.3x the floor's",
                (run, codec) => run.Get(codec, "unary", 1, payload, "p50_us") / run.Get("floor", "unary", 1, payload, "p50_us"),
                static ratio => ratio <= 1.3, $"{size} c=1 p50 vs floor"));
            targets.Add(new($"{size}: c=64 p99 ≤ 0.5x grpc-dotnet's",
                (run, codec) => run.Get(codec, "unary", 64, payload, "p99_us") / run.Get("grpc-dotnet", "unary", 64, payload, "p99_us"),
                static ratio => ratio <= 0.5, $"{size} c=64 p99 vs grpc"));
        }
        foreach (var (side, limit) in new[] { ("client", 256), ("server", 128) })
        {
            targets.Add(new($"{side} allocation beyond the user's objects ≤ {limit} B (ratio: the most of any unary point, B)",
                (run, codec) => MostBeyondUserObjects(run, codec, side),
                ratio => ratio <= limit, $"{side} B beyond user's", Format: "0"));
        }
        targets.Add(new("one server stream ≥ 1 M msg/s (ratio: millions)",
            static (run, codec) => run.Get(codec, "server-stream", 1, 16, "rps") / 1e6,
            static millions => millions >= 1, "stream M msg/s"));
        foreach (var (build, name) in new[] { ("jit", "JIT on the projects"), ("jit-package", "JIT on the package"), ("ready-to-run", "ReadyToRun"), ("native-aot", "Native AOT") })
        {
            targets.Add(new($"start-up ≤ 0.5x grpc-dotnet's, {name}",
                (run, codec) => run.Get(codec, "startup", 1, 16, "startup_ms", build) / run.Get("grpc-dotnet", "startup", 1, 16, "startup_ms", build),
                static ratio => ratio <= 0.5, $"start-up {build}"));
        }

        var output = new StringBuilder();
        output.AppendLine("| target (acceptance) | runs that met it | range over the runs | latest run |");
        output.AppendLine("|---|---:|---|---|");
        foreach (var target in targets)
        {
            var measured = runs.Where(run => Codecs.All(codec => !double.IsNaN(target.Ratio(run, codec)))).ToList();
            if (measured.Count == 0)
            {
                continue;
            }
            var met = measured.Count(run => Codecs.All(codec => target.Met(target.Ratio(run, codec))));
            var all = measured.SelectMany(run => Codecs.Select(codec => target.Ratio(run, codec))).ToList();
            var latest = runs[^1];
            output.AppendLine(CultureInfo.InvariantCulture,
                $"| {target.Text} | {met} of {measured.Count} | {all.Min().ToString(target.Format, CultureInfo.InvariantCulture)}-{all.Max().ToString(target.Format, CultureInfo.InvariantCulture)} | {Pair(target, latest)} |");
        }
        foreach (var throughput in new[] { true, false })
        {
            var columns = targets.Where(t => t.Throughput == throughput).ToList();
            output.AppendLine();
            output.AppendLine("| run | JSON | " + string.Join(" | ", columns.Select(static t => t.Column)) + " |");
            output.AppendLine("|---:|---|" + string.Concat(columns.Select(static _ => "---:|")));
            for (var i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                output.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {run.Name} | {string.Join(" | ", columns.Select(t => Pair(t, run)))} |");
            }
        }
        Console.Write(output.ToString());
        return 0;
    }

    private static double MostBeyondUserObjects(Run run, string codec, string side)
    {
        var most = double.NaN;
        foreach (var ((system, scenario, _, _, _), point) in run.Points)
        {
            if (system == codec && scenario == "unary"
                && point.TryGetProperty($"{side}_alloc_per_call", out var total)
                && point.TryGetProperty($"{side}_user_bytes_per_call", out var user)
                && user.GetDouble() > 0)
            {
                most = double.IsNaN(most) ? total.GetDouble() - user.GetDouble() : Math.Max(most, total.GetDouble() - user.GetDouble());
            }
        }
        return most;
    }

    // "msgpack/protobuf", bold where both met the target; "-" where the run did not measure it.
    private static string Pair(Target target, Run run)
    {
        var ratios = Codecs.Select(codec => target.Ratio(run, codec)).ToArray();
        if (ratios.Any(double.IsNaN))
        {
            return "-";
        }
        var text = string.Join("/", ratios.Select(r => r.ToString(target.Format, CultureInfo.InvariantCulture)));
        return ratios.All(target.Met) ? $"**{text}**" : text;
    }

    private static Run Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var points = new Dictionary<(string, string, int, int, string), JsonElement>();
        foreach (var point in document.RootElement.EnumerateArray())
        {
            var build = point.TryGetProperty("client_build", out var b) ? b.GetString() ?? "jit" : "jit";
            points[(point.GetProperty("system").GetString()!, point.GetProperty("scenario").GetString()!,
                point.GetProperty("concurrency").GetInt32(), point.GetProperty("payload").GetInt32(), build)] = point.Clone();
        }
        return new Run(Path.GetFileNameWithoutExtension(path), points);
    }
}
