using System.Threading;
using System.Threading.Tasks;
using MicroGen;

namespace Greeter;

/// <summary>The contract: the generator writes GreeterClient, GreeterDispatcher and the codecs.</summary>
[MicroService("greeter", Version = "1.0.0")]
public interface IGreeter
{
    Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default);

    [Idempotent]
    Task<int> CountGreetings(CancellationToken cancellationToken = default);
}

public sealed record HelloRequest
{
    public required string Name { get; init; }
}

public sealed record HelloReply(string Message, int Greeting);

/// <summary>
/// An event: the client publishes one after its calls, the server subscribes to it. [MicroEvent]
/// has its codec routines generated like a contract type's, so delivery needs no reflection.
/// </summary>
[MicroEvent]
public sealed record GreetingSent(string Name, int Greeting);
