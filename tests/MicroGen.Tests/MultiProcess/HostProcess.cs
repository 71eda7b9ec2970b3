using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.Tests.MultiProcess;

/// <summary>A MicroGen.TestHost server process started by a test and always ended by it.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly List<(string Line, TaskCompletionSource Seen)> _waiters = new();

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_waiters)
            {
                _output.Enqueue(e.Data);
                _waiters.RemoveAll(w => w.Line == e.Data && w.Seen.TrySetResult());
            }
            if (e.Data.StartsWith("READY ", StringComparison.Ordinal))
            {
                _ready.TrySetResult(e.Data["READY ".Length..]);
            }
            else if (e.Data == "STOPPED")
            {
                _stopped.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Enqueue("stderr: " + e.Data);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("host exited before READY:\n" + Output));
    }

    public string Id { get; private init; } = "";

    public string Address { get; private set; } = "";

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join(Environment.NewLine, _output);

    public static async Task<HostProcess> StartAsync(string id, string registryDir, int ttlMs = 30_000, int intervalMs = 10_000, int drainMs = 10_000)
    {
        var hostDll = LocateHost();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { hostDll, "--id", id, "--registry-dir", registryDir, "--ttl-ms", ttlMs.ToString(), "--interval-ms", intervalMs.ToString(), "--drain-ms", drainMs.ToString() })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["MICROGEN_SERVER_ADDRESS"] = "127.0.0.1:0";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var host = new HostProcess(process) { Id = id };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            host.Address = await host._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>Completes once the host has printed <paramref name="line"/> (at once if it already has).</summary>
    public Task WaitForLineAsync(string line)
    {
        lock (_waiters)
        {
            if (_output.Contains(line))
            {
                return Task.CompletedTask;
            }
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((line, seen));
            return seen.Task;
        }
    }

    /// <summary>How many times the host has printed <paramref name="line"/>.</summary>
    public int CountLines(string line) => _output.Count(l => l == line);

    /// <summary>Asks the host to stop gracefully and waits until it has.</summary>
    public async Task StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Kills the host at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (InvalidOperationException)
            {
            }
        }
        _process.Dispose();
    }

    private static string LocateHost()
    {
        // tests/MicroGen.Tests/bin/<Configuration>/net10.0 -> tests/MicroGen.TestHost/bin/<Configuration>/net10.0
        var bin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(bin);
        var configuration = Path.GetFileName(Path.GetDirectoryName(bin)!);
        var tests = Path.GetFullPath(Path.Combine(bin, "..", "..", "..", ".."));
        var dll = Path.Combine(tests, "MicroGen.TestHost", "bin", configuration, framework, "MicroGen.TestHost.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("MicroGen.TestHost is not built; build the solution first", dll);
    }
}
