using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Linq;

namespace MicroGen.Bench.Load;

/// <summary>
/// A sampling allocation profiler inside the process: the runtime's <c>GCAllocationTick</c> event
/// fires about every 100 KB allocated and names the type that crossed the mark, so over many calls
/// the counts per type are proportional to the bytes each type takes. Enabled with
/// <c>MICROGEN_BENCH_ALLOC_PROFILE=1</c> (both processes inherit it); it costs a little, so
/// figures from such a run are for finding hot spots, not for the table.
/// </summary>
internal sealed class AllocationProfiler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;

    private static AllocationProfiler? s_instance;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public static bool Enabled => Environment.GetEnvironmentVariable("MICROGEN_BENCH_ALLOC_PROFILE") == "1";

    public static void StartIfEnabled()
    {
        if (Enabled)
        {
            s_instance ??= new AllocationProfiler();
        }
    }

    public static void Reset() => s_instance?._bytes.Clear();

    /// <summary>The top types by sampled bytes since the last reset, as "type=percent%" on one line.</summary>
    public static string Top(int count)
    {
        var profiler = s_instance;
        if (profiler is null)
        {
            return "(profiler off)";
        }
        var snapshot = profiler._bytes.ToArray();
        var total = snapshot.Sum(p => p.Value);
        if (total == 0)
        {
            return "(no samples)";
        }
        return string.Join("; ", snapshot.OrderByDescending(p => p.Value).Take(count)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {100.0 * p.Value / total:0.0}%")));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }
        var typeIndex = eventData.PayloadNames.IndexOf("TypeName");
        var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (amountIndex < 0)
        {
            amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount");
        }
        if (typeIndex < 0 || amountIndex < 0 || eventData.Payload is null)
        {
            return;
        }
        var type = eventData.Payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, amount, (_, old) => old + amount);
    }
}
