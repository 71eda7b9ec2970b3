using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.PubSub.Tests;

/// <summary>One handled event as a <c>MicroGen.PubSub.Host</c> process printed it.</summary>
internal sealed record HostedEvent(string Host, string Topic, string Id, string Publisher, string ContentType, long UnixMs, string Queue, int Redelivered, string Headers, string Payload)
{
    public static HostedEvent? Parse(string line)
    {
        var f = line.Split('\t');
        return f.Length == 11 && f[0] == "EVT"
            ? new HostedEvent(f[1], f[2], f[3], f[4], f[5], long.Parse(f[6]), f[7], int.Parse(f[8]), f[9], f[10])
            : null;
    }
}

/// <summary>A subscriber process (<c>dotnet MicroGen.PubSub.Host.dll</c>) a test starts and always ends.</summary>
internal sealed class SubscriberProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<long> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly ConcurrentQueue<HostedEvent> _events = new();
    private int _eventCount;

    private SubscriberProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }
            if (HostedEvent.Parse(line) is { } evt)
            {
                _events.Enqueue(evt);
                Interlocked.Increment(ref _eventCount);
                return;
            }
            _log.Enqueue(line);
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                _ready.TrySetResult(line["READY ".Length..]);
            }
            else if (line.StartsWith("STOPPED ", StringComparison.Ordinal))
            {
                _stopped.TrySetResult(long.Parse(line["STOPPED ".Length..]));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _log.Enqueue("stderr: " + e.Data);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{Name} exited before READY:\n{Log}"));
    }

    public string Name { get; }

    /// <summary>Where its broker receives deliveries.</summary>
    public string Address { get; private set; } = string.Empty;

    public IReadOnlyCollection<HostedEvent> Events => _events;

    public int EventCount => Volatile.Read(ref _eventCount);

    public string Log => string.Join(Environment.NewLine, _log);

    public static async Task<SubscriberProcess> StartAsync(string name, string registryDir, params string[] options)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { LocateHost(), "--name", name, "--registry-dir", registryDir }.Concat(options))
        {
            info.ArgumentList.Add(arg);
        }
        // Loopback only: the server and the broker bind 127.0.0.1 on free ports.
        info.Environment["MICROGEN_SERVER_ADDRESS"] = "127.0.0.1:0";
        info.Environment["MICROGEN_BROKER_ADDRESS"] = "127.0.0.1:0";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var host = new SubscriberProcess(name, process);
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

    /// <summary>Waits until the process wrote a line (standard output or error) containing every one of <paramref name="parts"/>, and returns it.</summary>
    public async Task<string> WaitForLogLineAsync(params string[] parts)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_log.FirstOrDefault(line => parts.All(p => line.Contains(p, StringComparison.Ordinal))) is { } found)
            {
                return found;
            }
            if (clock.Elapsed > TestTimeouts.Default)
            {
                throw new TimeoutException($"{Name} wrote no line containing {string.Join(" and ", parts)} within {TestTimeouts.Default}:\n{Log}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Waits until the process printed at least <paramref name="count"/> events.</summary>
    public async Task WaitForEventsAsync(int count, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TestTimeouts.Default;
        while (EventCount < count)
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{Name} printed {EventCount} of {count} events within {limit}:\n{Log}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Asks the process to stop gracefully (unsubscribe, deregister) and waits until it has; returns how many events it handled.</summary>
    public async Task<long> StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        var handled = await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return handled;
    }

    /// <summary>Kills the process at once, as a crash would: its registry entries stay until they expire.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private static string LocateHost()
    {
        // tests/MicroGen.PubSub.Tests/bin/<Configuration>/net10.0 -> tests/MicroGen.PubSub.Host/bin/<Configuration>/net10.0
        var bin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(bin);
        var configuration = Path.GetFileName(Path.GetDirectoryName(bin)!);
        var tests = Path.GetFullPath(Path.Combine(bin, "..", "..", "..", ".."));
        var dll = Path.Combine(tests, "MicroGen.PubSub.Host", "bin", configuration, framework, "MicroGen.PubSub.Host.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("MicroGen.PubSub.Host is not built; build the solution first", dll);
    }
}
