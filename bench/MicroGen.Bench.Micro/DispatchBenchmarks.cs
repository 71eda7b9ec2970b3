using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using MicroGen.Server;

namespace MicroGen.Bench.Micro;

/// <summary>
/// The generated dispatcher of a ten-method contract: the endpoint lookup (a switch on the name)
/// plus the handler call, with a call object that hands over a decoded request and drops the reply,
/// so only the dispatch itself is measured. Also the contract lookup behind <c>Handle&lt;T&gt;</c>/<c>For&lt;T&gt;</c>.
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private IServiceDispatcher _dispatcher = null!;
    private FakeCall _first = null!;
    private FakeCall _last = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dispatcher = ServiceContracts.Get<IOrders>().CreateDispatcher(new OrdersHandler());
        var query = new OrderQuery { Id = 1 };
        _first = new FakeCall("Orders.Get", query);
        _last = new FakeCall("Orders.Last", query);
        _dispatcher.DispatchAsync(_last).AsTask().GetAwaiter().GetResult();
        if (_last.Responses != 1)
        {
            throw new InvalidOperationException("the dispatcher wrote no reply");
        }
    }

    [Benchmark(Baseline = true, Description = "dispatch first endpoint")]
    public ValueTask DispatchFirst() => _dispatcher.DispatchAsync(_first);

    [Benchmark(Description = "dispatch last (10th) endpoint")]
    public ValueTask DispatchLast() => _dispatcher.DispatchAsync(_last);

    [Benchmark(Description = "ServiceContracts.Get<T>()")]
    public object ContractLookup() => ServiceContracts.Get<IOrders>();

    private sealed class FakeCall(string endpoint, object request) : ServerCall
    {
        public int Responses;

        public override string Endpoint => endpoint;

        public override CancellationToken CancellationToken => default;

        public override MicroContext Context => throw new NotSupportedException();

        public override TRequest ReadRequest<TRequest>() => (TRequest)request;

        public override void WriteResponse<TResponse>(TResponse response) => Responses++;
    }
}
