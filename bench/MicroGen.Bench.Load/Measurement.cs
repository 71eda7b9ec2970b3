namespace MicroGen.Bench.Load;

/// <summary>One measured point; <see cref="Note"/> explains a point with no figures.</summary>
internal sealed record Measurement
{
    public required string System { get; init; }

    /// <summary><c>unary</c>, <c>server-stream</c> or <c>startup</c>.</summary>
    public required string Scenario { get; init; }

    public int Concurrency { get; init; }

    public int Payload { get; init; }

    /// <summary>Verified replies (or stream messages) per second; 0 when the system is unavailable.</summary>
    public double Rps { get; init; }

    public double P50Us { get; init; }

    public double P99Us { get; init; }

    public double ClientAllocPerCall { get; init; }

    public double ServerAllocPerCall { get; init; }

    /// <summary>Client plus server CPU seconds per 1,000 calls.</summary>
    public double CpuSecondsPer1k { get; init; }

    public long Errors { get; init; }

    public long Calls { get; init; }

    public double Seconds { get; init; }

    /// <summary>Bytes of the user's own objects per call (reply on the client; request, reply, handler task on the server).</summary>
    public double ClientUserBytes { get; init; }

    public double ServerUserBytes { get; init; }

    /// <summary>Coefficient of variation of the rate over the measurement's sample windows.</summary>
    public double RateCv { get; init; }

    /// <summary>Start-up only: median milliseconds from <c>Process.Start</c> to the first verified reply.</summary>
    public double StartupMs { get; init; }

    /// <summary>Start-up only: the same, measured inside the client from the OS's process start time.</summary>
    public double StartupInProcessMs { get; init; }

    /// <summary>Start-up only: how the client was built: <c>jit</c> (the harness itself), <c>ready-to-run</c> or <c>native-aot</c>.</summary>
    public string ClientBuild { get; init; } = "jit";

    public string? Note { get; init; }

    public bool HasFigures => Note is null && Calls > 0;
}
