using System;

namespace MicroGen.PubSub.Host;

internal static class Program
{
    public static int Main()
    {
        Console.WriteLine("placeholder until the TCP transport and file registry are merged");
        return 0;
    }
}
