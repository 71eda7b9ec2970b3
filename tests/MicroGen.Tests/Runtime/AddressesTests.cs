using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MicroGen.Internal;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// <see cref="Addresses.Advertisable"/>: what a server bound to a wildcard host puts in the
/// registry must be an address of this machine that callers can dial, never <c>0.0.0.0</c> or <c>[::]</c>.
/// </summary>
public sealed class AddressesTests
{
    /// <summary>This machine's addresses of <paramref name="family"/> on interfaces that are up, loopback included.</summary>
    private static IPAddress[] LocalAddresses(AddressFamily family) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(static n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(static n => n.GetIPProperties().UnicastAddresses)
            .Select(static a => a.Address)
            .Append(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback)
            .Where(a => a.AddressFamily == family)
            .ToArray();

    private static bool HasNonLoopback(AddressFamily family) =>
        LocalAddresses(family).Any(static a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal);

    [TestCase("0.0.0.0:8080", "8080")]
    [TestCase("0.0.0.0:0", "0")]
    public void Advertisable_IPv4Wildcard_LocalIPv4AddressSamePort(string bound, string port)
    {
        var advertised = Addresses.Advertisable(bound);

        var match = Regex.Match(advertised, @"^([0-9.]+):([0-9]+)$");
        Assert.That(match.Success, Is.True, $"'{advertised}' is host:port with an IPv4 host");
        Assert.That(match.Groups[2].Value, Is.EqualTo(port));
        var host = IPAddress.Parse(match.Groups[1].Value);
        Assert.That(host, Is.Not.EqualTo(IPAddress.Any));
        Assert.That(LocalAddresses(AddressFamily.InterNetwork), Does.Contain(host), "an address of this machine");
        Assert.That(IPAddress.IsLoopback(host), Is.EqualTo(!HasNonLoopback(AddressFamily.InterNetwork)),
            "a non-loopback address when the machine has one (reachable from other hosts), else the loopback");
    }

    [Test]
    public void Advertisable_IPv6Wildcard_LocalIPv6AddressInBracketsSamePort()
    {
        var advertised = Addresses.Advertisable("[::]:9090");

        var match = Regex.Match(advertised, @"^\[([0-9a-fA-F:.]+)\]:9090$");
        Assert.That(match.Success, Is.True, $"'{advertised}' is [ipv6]:port");
        var host = IPAddress.Parse(match.Groups[1].Value);
        Assert.That(host.AddressFamily, Is.EqualTo(AddressFamily.InterNetworkV6));
        Assert.That(host, Is.Not.EqualTo(IPAddress.IPv6Any));
        Assert.That(host.IsIPv6LinkLocal, Is.False, "a link-local address needs a scope id to be dialled");
        Assert.That(LocalAddresses(AddressFamily.InterNetworkV6), Does.Contain(host), "an address of this machine");
        Assert.That(IPAddress.IsLoopback(host), Is.EqualTo(!HasNonLoopback(AddressFamily.InterNetworkV6)));
    }

    [TestCase("127.0.0.1:5000")]
    [TestCase("10.1.2.3:80")]
    [TestCase("[::1]:5000")]
    [TestCase("[fd00::2]:5000")]
    [TestCase("localhost:80")]
    [TestCase("example.org:443")]
    [TestCase("memory:7")]
    [TestCase("no-port")]
    public void Advertisable_ConcreteOrNamedHost_Unchanged(string bound)
    {
        Assert.That(Addresses.Advertisable(bound), Is.EqualTo(bound));
    }
}
