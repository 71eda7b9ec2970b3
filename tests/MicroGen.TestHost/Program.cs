using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using MicroGen;
using MicroGen.Registry;
using MicroGen.TestHost;

// A server process for multi-process tests. Prints "READY <address>" once registered and
// "STARTED <method>" when a slow call begins, and stops
// gracefully (drain, deregister) on SIGTERM, Ctrl+C or a "stop" line on standard input.
string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

var nodeId = Arg("--id") ?? $"probe-{Environment.ProcessId}";
var registryDir = Arg("--registry-dir") ?? throw new ArgumentException("--registry-dir is required");
var ttl = TimeSpan.FromMilliseconds(int.Parse(Arg("--ttl-ms") ?? "30000", CultureInfo.InvariantCulture));
var interval = TimeSpan.FromMilliseconds(int.Parse(Arg("--interval-ms") ?? "10000", CultureInfo.InvariantCulture));
var drain = TimeSpan.FromMilliseconds(int.Parse(Arg("--drain-ms") ?? "10000", CultureInfo.InvariantCulture));

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });

await using var service = Micro.CreateService(o =>
{
    o.Name = "probe";
    o.Id = nodeId;
    o.Registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = registryDir });
    o.RegisterTtl = ttl;
    o.RegisterInterval = interval;
    o.DrainTimeout = drain;
});
service.Handle<IProbe>(new ProbeHandler(nodeId, static method => Console.WriteLine($"STARTED {method}")));
await service.StartAsync();
Console.WriteLine($"READY {service.Server.Address}");

_ = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is { } line)
    {
        if (line.Trim() == "stop")
        {
            break;
        }
    }
    stop.Cancel();
});

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
await service.StopAsync();
Console.WriteLine("STOPPED");
return 0;
