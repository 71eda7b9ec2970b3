using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Bench.Load.Systems;

namespace MicroGen.Bench.Load;

/// <summary>A snapshot of a process's allocation and CPU counters.</summary>
internal readonly record struct ProcessMark(long AllocatedBytes, TimeSpan Cpu)
{
    public static ProcessMark Now()
    {
        using var process = Process.GetCurrentProcess();
        // Not "precise": under Server GC the precise total was seen to step back by more than a
        // window's allocations (a delta below zero); the plain total only lags by what the threads'
        // allocation contexts hold (kilobytes), which is noise over a window of 10^4..10^6 calls.
        return new ProcessMark(GC.GetTotalAllocatedBytes(precise: false), process.TotalProcessorTime);
    }
}

/// <summary>The settings both sides must share, printed and compared at start.</summary>
internal static class RuntimeSettings
{
    public static string Describe() => string.Join(' ',
        $"gc={(GCSettings.IsServerGC ? "server" : "workstation")}",
        $"concurrent={AppContext.TryGetSwitch("System.GC.Concurrent", out var concurrent) && concurrent}",
        $"datas={AppContext.GetData("System.GC.DynamicAdaptationMode") ?? "default"}",
        $"inline_completions={Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "unset"}",
        $"tiered_pgo={Environment.GetEnvironmentVariable("DOTNET_TieredPGO") ?? "default"}",
        $"tc={Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "default"}",
        $"cpus={Environment.ProcessorCount}");
}

/// <summary>
/// The server side of a system, running in a child process (this same program with
/// <c>server &lt;system&gt;</c>), so client and server never share a GC heap or thread pool. It
/// answers control commands on standard input: <c>MARK</c> (allocated bytes and CPU time),
/// <c>USER &lt;payload&gt;</c> (user-object bytes per call) and <c>QUIT</c>.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _control = new(1, 1);

    private ServerProcess(Process process, string address, string settings)
    {
        _process = process;
        Address = address;
        Settings = settings;
    }

    public string Address { get; }

    public string Settings { get; }

    public static ProcessStartInfo SelfCommand(params string[] args)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    /// <summary>Starts the server of <paramref name="system"/>; throws with the server's reason when it cannot.</summary>
    public static async Task<ServerProcess> StartAsync(string system)
    {
        var start = SelfCommand("server", system);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line is null)
            {
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException($"the {system} server exited with code {process.ExitCode} before it was ready");
            }
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 3);
                return new ServerProcess(process, parts[1], parts.Length > 2 ? parts[2] : "");
            }
            if (line.StartsWith("UNAVAILABLE ", StringComparison.Ordinal))
            {
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                throw new NotSupportedException(line["UNAVAILABLE ".Length..]);
            }
        }
    }

    public async Task<ProcessMark> MarkAsync()
    {
        var reply = await CommandAsync("MARK").ConfigureAwait(false);
        var parts = reply.Split(' ');
        return new ProcessMark(long.Parse(parts[1], CultureInfo.InvariantCulture), TimeSpan.FromTicks(long.Parse(parts[2], CultureInfo.InvariantCulture)));
    }

    public async Task<string> AllocationsAsync() => (await CommandAsync("ALLOCS").ConfigureAwait(false))["ALLOCS ".Length..];

    public async Task<long> UserBytesAsync(int payload)
    {
        var reply = await CommandAsync($"USER {payload.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
        return long.Parse(reply.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("QUIT").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        _control.Dispose();
    }

    private async Task<string> CommandAsync(string command)
    {
        await _control.WaitAsync().ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var reply = await _process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the server process exited");
            return reply;
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>The <c>server &lt;system&gt;</c> mode: serve until <c>QUIT</c>.</summary>
    public static async Task<int> RunServerAsync(string systemName)
    {
        var system = BenchSystems.Get(systemName);
        IBenchServer server;
        try
        {
            server = await system.StartServerAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            Console.Out.WriteLine($"UNAVAILABLE {e.Message.ReplaceLineEndings(" ")}");
            return 3;
        }
        await using (server.ConfigureAwait(false))
        {
            Console.Out.WriteLine($"READY {server.Address} {RuntimeSettings.Describe()}");
            Console.Out.Flush();
            while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } command)
            {
                if (command == "QUIT")
                {
                    break;
                }
                if (command == "MARK")
                {
                    var mark = ProcessMark.Now();
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MARK {mark.AllocatedBytes} {mark.Cpu.Ticks}"));
                }
                else if (command == "ALLOCS")
                {
                    Console.Out.WriteLine($"ALLOCS {AllocationProfiler.Top(12)}");
                    AllocationProfiler.Reset();
                }
                else if (command.StartsWith("USER ", StringComparison.Ordinal))
                {
                    var bytes = system.ServerUserBytes(new Payload(int.Parse(command[5..], CultureInfo.InvariantCulture)));
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"USER {bytes}"));
                }
                else
                {
                    Console.Out.WriteLine($"ERROR unknown command {command}");
                }
                Console.Out.Flush();
            }
        }
        return 0;
    }
}
