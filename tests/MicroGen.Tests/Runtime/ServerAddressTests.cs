using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Server;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// <see cref="ServerOptions.AddressEnvironmentVariable"/> (<c>MICROGEN_SERVER_ADDRESS</c>, like
/// go-micro's <c>MICRO_SERVER_ADDRESS</c>) sets where a server listens unless
/// <see cref="ServerOptions.Address"/> does; the server binds and advertises it.
/// </summary>
[TestFixture]
[NonParallelizable] // the variable is process-wide: no other test may start a server meanwhile
public sealed class ServerAddressTests
{
    private static readonly Method<string, string> Ping = new("addressed", "Addressed.Ping");

    private string? _previous;
    private InMemoryRegistry _registry = null!;
    private TcpTransport _transport = null!;

    [SetUp]
    public void SetUp()
    {
        _previous = Environment.GetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable);
        _registry = new InMemoryRegistry();
        _transport = new TcpTransport();
    }

    [TearDown]
    public async Task TearDown()
    {
        Environment.SetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable, _previous);
        await _transport.DisposeAsync();
    }

    /// <summary>Loopback ports that were free a moment ago: bound to port 0 together (so distinct), read, released.</summary>
    private static int[] FreePorts(int count)
    {
        var probes = Enumerable.Range(0, count).Select(static _ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToArray();
        try
        {
            foreach (var probe in probes)
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }
            return probes.Select(static p => ((IPEndPoint)p.LocalEndPoint!).Port).ToArray();
        }
        finally
        {
            foreach (var probe in probes)
            {
                probe.Dispose();
            }
        }
    }

    private static int FreePort() => FreePorts(1)[0];

    private MicroServer CreateServer(string? address = null)
    {
        var server = new MicroServer(new ServerOptions { Name = "addressed", Address = address, Transport = _transport, Registry = _registry });
        server.AddDispatcher(new PingDispatcher());
        return server;
    }

    private async Task<string> RegisteredAddressAsync()
    {
        var services = await _registry.GetServiceAsync("addressed").Bounded();
        return services.SelectMany(static s => s.Nodes).Single().Address;
    }

    private static async Task<string> CallAsync(string address)
    {
        await using var transport = new TcpTransport();
        await using var client = new MicroClient(new ClientOptions { Transport = transport });
        return await client.CallAsync(Ping, "x", new CallOptions { Address = address }).Bounded();
    }

    [Test]
    public async Task Start_AddressVariableSet_BindsAndAdvertisesIt()
    {
        var expected = $"127.0.0.1:{FreePort()}";
        Environment.SetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable, expected);
        await using var server = CreateServer();

        await server.StartAsync().Bounded();

        Assert.That(server.Address, Is.EqualTo(expected));
        Assert.That(await RegisteredAddressAsync(), Is.EqualTo(expected));
        Assert.That(await CallAsync(expected), Is.EqualTo("pong"), "the server listens there");
    }

    [Test]
    public async Task Start_AddressVariableIPv6LoopbackPortZero_BindsFreeIPv6Port()
    {
        Environment.SetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable, "[::1]:0");
        await using var server = CreateServer();

        await server.StartAsync().Bounded();

        Assert.That(server.Address, Does.Match(@"^\[::1\]:[1-9][0-9]*$"));
        Assert.That(await RegisteredAddressAsync(), Is.EqualTo(server.Address));
        Assert.That(await CallAsync(server.Address!), Is.EqualTo("pong"));
    }

    [Test]
    public async Task Start_ExplicitAddressAndVariable_ExplicitAddressWins()
    {
        var ports = FreePorts(2);
        var fromVariable = $"127.0.0.1:{ports[0]}";
        var explicitAddress = $"127.0.0.1:{ports[1]}";
        Environment.SetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable, fromVariable);
        await using var server = CreateServer(explicitAddress);

        await server.StartAsync().Bounded();

        Assert.That(server.Address, Is.EqualTo(explicitAddress));
        Assert.That(await RegisteredAddressAsync(), Is.EqualTo(explicitAddress));
    }

    [TestCase("")]
    [TestCase("   ")]
    public async Task Start_AddressVariableBlank_UsesDefaultLoopbackFreePort(string blank)
    {
        Environment.SetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable, blank);
        await using var server = CreateServer();

        await server.StartAsync().Bounded();

        Assert.That(server.Address, Does.Match(@"^127\.0\.0\.1:[1-9][0-9]*$"));
    }

    [Test]
    public async Task CreateService_AddressVariableSet_ServiceServerFollowsIt()
    {
        var expected = $"127.0.0.1:{FreePort()}";
        Environment.SetEnvironmentVariable(ServerOptions.AddressEnvironmentVariable, expected);
        await using var service = Micro.CreateService(o =>
        {
            o.Name = "addressed";
            o.Registry = _registry;
            o.Transport = _transport;
        });
        service.Server.AddDispatcher(new PingDispatcher());

        await service.StartAsync().Bounded();

        Assert.That(service.Server.Address, Is.EqualTo(expected));
        Assert.That(await RegisteredAddressAsync(), Is.EqualTo(expected));
    }

    private sealed class PingDispatcher : IServiceDispatcher
    {
        public ServiceDescriptor Descriptor { get; } = new("addressed", "1.0.0", "Addressed", new MethodDescriptor[] { Ping });

        public ValueTask DispatchAsync(ServerCall call)
        {
            call.WriteResponse("pong");
            return ValueTask.CompletedTask;
        }
    }
}
