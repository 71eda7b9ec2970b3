using System;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace MicroGen.Internal;

/// <summary>Address helpers, like go-micro's <c>util/addr</c>.</summary>
internal static class Addresses
{
    /// <summary>
    /// The address to advertise for a listener bound to <paramref name="bound"/>: a wildcard host
    /// (<c>0.0.0.0</c>, <c>[::]</c>) is replaced by this machine's first non-loopback address of the
    /// same family that is up, else by the loopback address.
    /// </summary>
    public static string Advertisable(string bound)
    {
        var colon = bound.LastIndexOf(':');
        if (colon <= 0)
        {
            return bound;
        }
        var host = bound[..colon].Trim('[', ']');
        var port = bound[(colon + 1)..];
        if (!IPAddress.TryParse(host, out var ip) || !(ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            return bound;
        }
        var family = ip.AddressFamily;
        var chosen = FirstUnicast(family) ?? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        return family == AddressFamily.InterNetworkV6 ? $"[{chosen}]:{port}" : $"{chosen}:{port}";
    }

    private static IPAddress? FirstUnicast(AddressFamily family)
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == family && !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal);
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}
