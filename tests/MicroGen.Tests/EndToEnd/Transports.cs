using System;
using System.Collections.Generic;
using MicroGen.Transport;

namespace MicroGen.Tests.EndToEnd;

/// <summary>The transports every end-to-end test body runs on.</summary>
public static class Transports
{
    public static IEnumerable<string> All => new[] { "memory", "tcp" };

    public static ITransport Create(string kind) => kind switch
    {
        "memory" => new InMemoryTransport(),
        "tcp" => new TcpTransport(new TcpTransportOptions { Address = "127.0.0.1:0" }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown transport"),
    };
}
