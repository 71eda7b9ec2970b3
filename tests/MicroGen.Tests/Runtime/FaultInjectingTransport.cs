using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport;

namespace MicroGen.Tests.Runtime;

/// <summary>Where an injected failure happens in a unary call.</summary>
internal enum InjectedFault
{
    /// <summary>The call goes through untouched.</summary>
    None,

    /// <summary>The request never leaves the client: a not-processed <see cref="TransportException"/>.</summary>
    BeforeSend,

    /// <summary>
    /// The request reaches the handler and it answers, but the reply is lost on the way back: a
    /// <see cref="TransportException"/> that is not "not processed", as a connection dropping mid-call.
    /// </summary>
    AfterHandler,
}

/// <summary>
/// A real transport (the one it wraps) with failures injected into chosen attempts of unary calls,
/// to drive the client's retry policy. It records every dial and every attempt; the server side
/// uses the inner transport unchanged.
/// </summary>
internal sealed class FaultInjectingTransport(ITransport inner) : ITransport
{
    private readonly ConcurrentQueue<string> _attempts = new();
    private readonly ConcurrentQueue<ITransportConnection> _dialled = new();
    private int _attemptCount;

    /// <summary>The fault for an attempt, by its index among all unary attempts (from 0) and the address it goes to.</summary>
    public Func<int, string, InjectedFault> Plan { get; set; } = static (_, _) => InjectedFault.None;

    /// <summary>The address of every unary attempt, in order.</summary>
    public IReadOnlyList<string> Attempts => _attempts.ToArray();

    /// <summary>Every connection dialled, in order (the inner ones).</summary>
    public IReadOnlyList<ITransportConnection> Dialled => _dialled.ToArray();

    public string Name => inner.Name;

    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(address, handler, cancellationToken);

    public async ValueTask<ITransportConnection> DialAsync(string address, CancellationToken cancellationToken = default)
    {
        var connection = await inner.DialAsync(address, cancellationToken).ConfigureAwait(false);
        _dialled.Enqueue(connection);
        return new Connection(this, connection);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Connection(FaultInjectingTransport owner, ITransportConnection inner) : ITransportConnection
    {
        public string RemoteAddress => inner.RemoteAddress;

        public bool IsAvailable => inner.IsAvailable;

        public async ValueTask<TransportResponse> InvokeAsync(TransportRequest request, CancellationToken cancellationToken = default)
        {
            var index = Interlocked.Increment(ref owner._attemptCount) - 1;
            owner._attempts.Enqueue(RemoteAddress);
            switch (owner.Plan(index, RemoteAddress))
            {
                case InjectedFault.BeforeSend:
                    throw new TransportException($"injected: {RemoteAddress} refused the connection", notProcessed: true);
                case InjectedFault.AfterHandler:
                    using (await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false))
                    {
                    }
                    throw new TransportException($"injected: the connection to {RemoteAddress} dropped before the reply arrived", notProcessed: false);
                default:
                    return await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }

        public ValueTask<ITransportStream> OpenStreamAsync(TransportRequest request, CancellationToken cancellationToken = default) =>
            inner.OpenStreamAsync(request, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
