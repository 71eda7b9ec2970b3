using System;
using System.Threading.Tasks;
using Greeter;
using MicroGen;

// The server: a service named "greeter" serving the IGreeter contract on the embedded defaults.
await using var server = Micro.CreateService(o => o.Name = "greeter");
server.Handle<IGreeter>(new GreeterHandler());
await server.StartAsync();
Console.WriteLine($"greeter listening on {server.Server.Address}");

// The client: another service that finds "greeter" through the registry and calls it.
await using var caller = Micro.CreateService(o => o.Name = "caller");
var greeter = caller.Client.For<IGreeter>();

foreach (var name in new[] { "world", "go-micro", "MicroGen" })
{
    var reply = await greeter.SayHello(new HelloRequest { Name = name });
    Console.WriteLine($"{reply.Message} (greeting #{reply.Greeting})");
}

try
{
    await greeter.SayHello(new HelloRequest { Name = "" });
}
catch (MicroException e)
{
    Console.WriteLine($"error as expected: {e.Code} {e.Status}: {e.Detail}");
}

Console.WriteLine($"greetings served: {await greeter.CountGreetings()}");
await server.StopAsync();
return 0;
