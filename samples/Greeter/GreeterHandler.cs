using System.Threading;
using System.Threading.Tasks;
using MicroGen;

namespace Greeter;

/// <summary>The server side: a plain class implementing the contract.</summary>
public sealed class GreeterHandler : IGreeter
{
    private int _greetings;

    public Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw MicroException.BadRequest("greeter", "name must not be empty");
        }
        var count = Interlocked.Increment(ref _greetings);
        return Task.FromResult(new HelloReply($"Hello {request.Name}", count));
    }

    public Task<int> CountGreetings(CancellationToken cancellationToken = default) =>
        Task.FromResult(Volatile.Read(ref _greetings));
}
