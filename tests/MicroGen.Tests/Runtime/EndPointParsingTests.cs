using System.Net;
using System.Net.Sockets;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// The TCP transport's reading of an address: the IPv4 fast path
/// (<see cref="TcpTransport.TryParseIPv4EndPoint"/>) takes exactly what <see cref="IPEndPoint.Parse(string)"/>
/// reads the same way, and leaves every other form to the general parser.
/// </summary>
public sealed class EndPointParsingTests
{
    [TestCase("127.0.0.1:8080")]
    [TestCase("0.0.0.0:0")]
    [TestCase("255.255.255.255:65535")]
    [TestCase("10.1.20.254:1")]
    [TestCase("192.168.0.10:00080")]
    public void TryParseIPv4EndPoint_DottedAddressAndPort_SameAsIPEndPointParse(string address)
    {
        Assert.That(TcpTransport.TryParseIPv4EndPoint(address, out var endPoint), Is.True);
        Assert.That(endPoint, Is.EqualTo(IPEndPoint.Parse(address)));
        Assert.That(TcpTransport.ParseEndPoint(address, forListening: false), Is.EqualTo(IPEndPoint.Parse(address)));
    }

    [TestCase("127.0.0.1")]
    [TestCase("127.0.0.1:")]
    [TestCase("127.0.0.1:65536")]
    [TestCase("127.0.0.1:123456")]
    [TestCase("127.0.0.1:80x")]
    [TestCase("127.0.0.1:-1")]
    [TestCase("256.0.0.1:80")]
    [TestCase("1.2.3:80")]
    [TestCase("1.2.3.4.5:80")]
    [TestCase("1..3.4:80")]
    [TestCase("010.0.0.1:80")]
    [TestCase("1.2.3.0004:80")]
    [TestCase("[::1]:80")]
    [TestCase("localhost:80")]
    [TestCase(" 1.2.3.4:80")]
    public void TryParseIPv4EndPoint_AnyOtherForm_False(string address)
    {
        Assert.That(TcpTransport.TryParseIPv4EndPoint(address, out var endPoint), Is.False);
        Assert.That(endPoint, Is.Null);
    }

    [Test]
    public void ParseEndPoint_OctetWithLeadingZero_GeneralParserReadsItAsBefore()
    {
        // IPAddress reads "010" as octal 8: the fast path declines, so the result is unchanged.
        Assert.That(TcpTransport.ParseEndPoint("010.0.0.1:80", forListening: false), Is.EqualTo(IPEndPoint.Parse("010.0.0.1:80")));
    }

    [Test]
    public void ParseEndPoint_IPv6AndHostNames_StillTheGeneralParser()
    {
        Assert.That(TcpTransport.ParseEndPoint("[::1]:80", forListening: false), Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 80)));
        Assert.That(TcpTransport.ParseEndPoint("example.invalid:80", forListening: false), Is.EqualTo(new DnsEndPoint("example.invalid", 80)));
        Assert.That(TcpTransport.ParseEndPoint("127.0.0.1:0", forListening: true), Has.Property(nameof(IPEndPoint.AddressFamily)).EqualTo(AddressFamily.InterNetwork));
    }
}
