using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using MicroGen.Registry;
using MicroGen.Selector;

namespace MicroGen.Bench.Micro;

/// <summary>Picking a node from one service's registry entry, as every call without an address does.</summary>
[MemoryDiagnoser]
public class SelectorBenchmarks
{
    private readonly RandomSelector _random = new();
    private readonly RoundRobinSelector _roundRobin = new();
    private IReadOnlyList<ServiceInfo> _services = null!;

    [Params(1, 3, 16)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup() => _services =
    [
        new ServiceInfo
        {
            Name = "orders",
            Version = "1.0.0",
            Nodes = Enumerable.Range(0, Nodes).Select(i => new Node { Id = $"orders-{i}", Address = $"127.0.0.1:{9000 + i}" }).ToArray(),
        },
    ];

    [Benchmark(Baseline = true)]
    public Node? Random() => _random.Select("orders", _services);

    [Benchmark]
    public Node? RoundRobin() => _roundRobin.Select("orders", _services);
}
