using System.Collections.Generic;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using MicroGen.Registry;

namespace MicroGen.Bench.Micro;

/// <summary>
/// The lookup every call without an address makes before the selector picks a node: on the
/// in-memory registry (in-process services; no cache in front of it) and on the cache that
/// fronts every other registry.
/// </summary>
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private InMemoryRegistry _memory = null!;
    private CachingRegistry _cached = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _memory = new InMemoryRegistry();
        await _memory.RegisterAsync(new ServiceInfo
        {
            Name = "orders",
            Version = "1.0.0",
            Nodes = [new Node { Id = "orders-1", Address = "127.0.0.1:9000" }, new Node { Id = "orders-2", Address = "127.0.0.1:9001" }],
        });
        _cached = new CachingRegistry(_memory);
        await _cached.GetServiceAsync("orders");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _cached.DisposeAsync();
        await _memory.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public IReadOnlyList<ServiceInfo> InMemory() => _memory.GetServiceAsync("orders").Result;

    [Benchmark]
    public IReadOnlyList<ServiceInfo> Cached() => _cached.GetServiceAsync("orders").Result;
}
