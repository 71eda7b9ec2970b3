using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Greeter;
using MicroGen;

// With no argument: starts the server as a second process, runs the client against it, then
// stops the server. "server" and "client" run one side alone, for two terminals.
// The topic the client publishes GreetingSent on and the server subscribes to.
const string GreetedTopic = "greeter.greeted";
var mode = args.Length > 0 ? args[0] : "demo";
return mode switch
{
    "server" => await RunServerAsync(),
    "client" => await RunClientAsync(),
    "demo" => await RunDemoAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Greeter [server|client]");
    return 2;
}

// The server: a service named "greeter" serving IGreeter on the embedded defaults (TCP on a free
// loopback port, registered in the file-system registry) and subscribed to the "greeter.greeted"
// event through the embedded broker. Stops on Ctrl+C, SIGTERM or "stop" on stdin.
static async Task<int> RunServerAsync()
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
        System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
    _ = Task.Run(async () =>
    {
        while (await Console.In.ReadLineAsync() is { } line && line.Trim() != "stop")
        {
        }
        stop.Cancel();
    });

    await using var service = Micro.CreateService(o => o.Name = "greeter");
    service.Handle<IGreeter>(new GreeterHandler());
    // A queue group, so that a stale entry left by a server that crashed within the registry TTL is
    // skipped (the message goes to a live member) instead of failing the publish.
    service.Subscribe<GreetingSent>(GreetedTopic, (evt, _) =>
    {
        var info = MicroContext.Current!.Event!;
        Console.WriteLine($"[server pid {Environment.ProcessId}] event {info.Topic} from {info.Publisher}: {evt.Name} got greeting #{evt.Greeting} (message {info.Id})");
        return Task.CompletedTask;
    }, queue: "greeter");
    await service.StartAsync();
    Console.WriteLine($"[server pid {Environment.ProcessId}] greeter listening on {service.Server.Address}");
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
    await service.StopAsync();
    Console.WriteLine($"[server pid {Environment.ProcessId}] stopped cleanly");
    return 0;
}

// The client: finds "greeter" through the registry, calls it, then publishes one event.
static async Task<int> RunClientAsync()
{
    await using var caller = Micro.CreateService(o => o.Name = "caller");
    var greeter = caller.Client.For<IGreeter>();

    foreach (var name in new[] { "world", "go-micro", "MicroGen" })
    {
        var reply = await greeter.SayHello(new HelloRequest { Name = name });
        Console.WriteLine($"[client pid {Environment.ProcessId}] {reply.Message} (greeting #{reply.Greeting})");
    }

    try
    {
        await greeter.SayHello(new HelloRequest { Name = "" });
    }
    catch (MicroException e)
    {
        Console.WriteLine($"[client pid {Environment.ProcessId}] error as expected: {e.Code} {e.Status}: {e.Detail}");
    }

    var served = await greeter.CountGreetings();
    Console.WriteLine($"[client pid {Environment.ProcessId}] greetings served: {served}");

    // Completes once the subscriber acknowledged it; throws PublishException if nobody could take it.
    var published = await caller.Client.PublishAsync(GreetedTopic, new GreetingSent("MicroGen", served));
    Console.WriteLine($"[client pid {Environment.ProcessId}] published {published}");
    return 0;
}

// Both, as two processes: the server in a child process, the client here.
static async Task<int> RunDemoAsync()
{
    var self = Environment.ProcessPath ?? "dotnet";
    var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
    }
    start.ArgumentList.Add("server");

    using var server = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
    try
    {
        var ready = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine(ready);
        var exitCode = await RunClientAsync();

        await server.StandardInput.WriteLineAsync("stop");
        await server.StandardInput.FlushAsync();
        Console.WriteLine(await server.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return exitCode != 0 ? exitCode : server.ExitCode;
    }
    finally
    {
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
        }
    }
}
