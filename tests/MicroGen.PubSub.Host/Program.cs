using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MicroGen;
using MicroGen.PubSub.Host;
using MicroGen.PubSub.Host.Proto;
using MicroGen.Registry;

// A subscriber process for the cross-process pub/sub tests, on the embedded defaults (TCP
// transport, file-system registry in --registry-dir, embedded broker).
//
//   dotnet MicroGen.PubSub.Host.dll --name N --registry-dir D --sub TOPIC:KIND[:QUEUE]... [--fail TOPIC] [--quiet]
//
// KIND is string, int, user (UserCreated, a [MicroEvent] record) or order (OrderPlaced, protobuf).
// Prints "READY <broker address>" once subscribed, one line per handled event:
//   EVT <name> <topic> <id> <publisher> <content-type> <unix-ms> <queue> <redelivered> <k=v;k=v> <payload>   (tab-separated)
// and "STOPPED <count>" after a graceful stop (SIGTERM, Ctrl+C or "stop" on standard input).
// --fail makes the handler of that topic throw; --quiet prints no EVT lines (for throughput runs).
// Warnings and errors are logged to standard error, one "LOG <level> <event> <message> <exception>" line each.
var name = Arg("--name") ?? $"host-{Environment.ProcessId}";
var registryDir = Arg("--registry-dir") ?? throw new ArgumentException("--registry-dir is required");
var failing = new HashSet<string>(Args("--fail"), StringComparer.Ordinal);
var quiet = args.Contains("--quiet");
var handled = 0L;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });

await using var service = Micro.CreateService(o =>
{
    o.Name = name;
    o.Registry = new FileSystemRegistry(new FileSystemRegistryOptions { Directory = registryDir });
    o.LoggerFactory = new StderrLoggerFactory();
});

foreach (var spec in Args("--sub"))
{
    var parts = spec.Split(':');
    var topic = parts[0];
    var queue = parts.Length > 2 ? parts[2] : null;
    switch (parts[1])
    {
        case "string":
            service.Subscribe<string>(topic, (evt, ct) => Handle(topic, evt), queue);
            break;
        case "int":
            service.Subscribe<int>(topic, (evt, ct) => Handle(topic, evt.ToString(CultureInfo.InvariantCulture)), queue);
            break;
        case "user":
            service.Subscribe<UserCreated>(topic, (evt, ct) => Handle(topic, $"{evt.Id}|{evt.Name}|{evt.Email}|{string.Join(",", evt.Roles)}"), queue);
            break;
        case "order":
            service.Subscribe<OrderPlaced>(topic, (evt, ct) => Handle(topic, $"{evt.OrderId}|{evt.AmountCents}|{string.Join(",", evt.Items)}"), queue);
            break;
        default:
            throw new ArgumentException($"unknown kind in --sub {spec}");
    }
}

await service.StartAsync();
Console.WriteLine($"READY {service.Options.Broker!.Address}");

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
Console.WriteLine($"STOPPED {Interlocked.Read(ref handled)}");
return 0;

Task Handle(string topic, string payload)
{
    if (failing.Contains(topic))
    {
        throw new InvalidOperationException($"{name} fails on purpose");
    }
    Interlocked.Increment(ref handled);
    if (!quiet)
    {
        var context = MicroContext.Current!;
        var info = context.Event!;
        var headers = string.Join(";", context.Metadata.OrderBy(static h => h.Key, StringComparer.Ordinal).Select(static h => $"{h.Key}={h.Value}"));
        Console.WriteLine(string.Join('\t', "EVT", name, info.Topic, info.Id, info.Publisher ?? "", info.ContentType,
            info.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), info.Queue ?? "",
            info.Redelivered.ToString(CultureInfo.InvariantCulture), headers, payload));
    }
    return Task.CompletedTask;
}

string? Arg(string option)
{
    var i = Array.IndexOf(args, option);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

IEnumerable<string> Args(string option)
{
    for (var i = 0; i + 1 < args.Length; i++)
    {
        if (args[i] == option)
        {
            yield return args[i + 1];
        }
    }
}
