using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Client;
using MicroGen.Registry;
using MicroGen.Transport;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// <see cref="Method{TRequest, TResponse}.CallAsync"/>, what generated proxies call: the same call as
/// the client's own <c>CallAsync</c>, on a <see cref="MicroClient"/> and on any other
/// <see cref="IClient"/>.
/// </summary>
[TestFixture]
public sealed class MethodCallTests
{
    private static readonly Method<string, string> Echo = new("echo", "Echo.Say");

    [Test]
    public async Task OtherClient_GetsTheCallWithEveryArgument()
    {
        await using var client = new RecordingClient();
        var options = new CallOptions { Timeout = TimeSpan.FromSeconds(3) };
        using var source = new CancellationTokenSource();

        var reply = await Echo.CallAsync(client, "hi", options, source.Token).AsTask().Bounded();

        Assert.That(reply, Is.EqualTo("echo/Echo.Say: hi"));
        Assert.That(client.Calls, Has.Count.EqualTo(1));
        var (method, request, seenOptions, token) = client.Calls[0];
        Assert.That(method, Is.SameAs(Echo));
        Assert.That(request, Is.EqualTo("hi"));
        Assert.That(seenOptions, Is.SameAs(options));
        Assert.That(token, Is.EqualTo(source.Token));
    }

    [Test]
    public async Task MicroClient_RunsItsOwnCall()
    {
        // No node registered: MicroClient's own path answers 404, naming the service.
        await using var client = new MicroClient(new ClientOptions { Registry = new InMemoryRegistry(), Transport = new InMemoryTransport() });

        var e = Assert.ThrowsAsync<MicroException>(async () => await Echo.CallAsync(client, "hi").AsTask().Bounded());

        Assert.That(e!.Code, Is.EqualTo(MicroStatusCode.NotFound));
        Assert.That(e.Detail, Does.Contain("echo"));
    }

    [Test]
    public void NullClient_Throws()
    {
        Assert.That(() => Echo.CallAsync(null!, "hi"), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("client"));
    }

    /// <summary>An <see cref="IClient"/> that records unary calls and answers them itself.</summary>
    private sealed class RecordingClient : IClient
    {
        public List<(object Method, object? Request, CallOptions? Options, CancellationToken Token)> Calls { get; } = new();

        public ClientOptions Options { get; } = new();

        public ValueTask<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add((method, request, options, cancellationToken));
            return new((TResponse)(object)$"{method}: {request}");
        }

        public IAsyncEnumerable<TResponse> ServerStreamAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<TResponse> ClientStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<TResponse> DuplexStreamAsync<TRequest, TItem, TResponse>(Method<TRequest, TResponse> method, TRequest request, IAsyncEnumerable<TItem> items, CallOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<ITransportStream> StreamAsync(string service, string endpoint, string contentType, ReadOnlyMemory<byte> request, CallOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public TService For<TService>(CallOptions? options = null) where TService : class => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
