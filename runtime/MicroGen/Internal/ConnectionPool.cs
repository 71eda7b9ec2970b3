using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Transport;

namespace MicroGen.Internal;

/// <summary>
/// One shared connection per address, dialled on first use and dialled again once it dropped or
/// its peer said it is going away. Concurrent first uses of an address share one dial.
/// </summary>
internal sealed class ConnectionPool(ITransport transport) : IAsyncDisposable
{
    // Lazy: GetOrAdd may run its factory on several racing threads and keep only one result, so a
    // factory that dialled would open connections nobody uses; only the stored Lazy ever dials.
    private readonly ConcurrentDictionary<string, Lazy<Task<ITransportConnection>>> _connections = new(StringComparer.Ordinal);

    /// <summary>The pooled connection to <paramref name="address"/>, dialling it if needed.</summary>
    /// <exception cref="TransportException">The address could not be reached (not processed).</exception>
    public ValueTask<ITransportConnection> GetAsync(string address, CancellationToken cancellationToken)
    {
        if (_connections.TryGetValue(address, out var pending) && pending.IsValueCreated && pending.Value.IsCompletedSuccessfully
            && pending.Value.Result is { IsAvailable: true } connection)
        {
            return new(connection);
        }
        return new(GetSlowAsync(address, cancellationToken));
    }

    /// <summary>
    /// Starts dialling <paramref name="address"/> when nothing is pooled or being dialled for it,
    /// without waiting: a first call then connects while it does the rest of its set-up, and
    /// <see cref="GetAsync"/> later waits for this dial (a failed one is reported there).
    /// </summary>
    public void Prime(string address)
    {
        if (!_connections.ContainsKey(address))
        {
            _ = GetOrAddDial(address).Value;
        }
    }

    // Dials, waits for a dial in progress, or replaces a connection that dropped.
    [AsyncMethodBuilder(typeof(LoopTaskMethodBuilder<>))]
    private async Task<ITransportConnection> GetSlowAsync(string address, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pending = GetOrAddDial(address);
            ITransportConnection connection;
            try
            {
                connection = await pending.Value.WaitAsync(cancellationToken).NoContext();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _connections.TryRemove(new(address, pending));
                throw e as TransportException ?? new TransportException($"could not connect to {address}: {e.Message}", notProcessed: true, e);
            }
            if (connection.IsAvailable)
            {
                return connection;
            }
            // The pooled connection dropped or the peer is going away: dial again.
            if (_connections.TryRemove(new(address, pending)))
            {
                _ = connection.DisposeAsync().AsTask();
            }
        }
    }

    private Lazy<Task<ITransportConnection>> GetOrAddDial(string address) =>
        _connections.GetOrAdd(address, static (a, t) => new Lazy<Task<ITransportConnection>>(() => DialAsync(t, a)), transport);

    /// <summary>Closes every pooled connection, and each one a dial still in flight opens later.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var pending in _connections.Values)
        {
            if (!pending.IsValueCreated)
            {
                continue;
            }
            var dial = pending.Value;
            if (dial.IsCompletedSuccessfully)
            {
                await dial.Result.DisposeAsync().ConfigureAwait(false);
            }
            else if (!dial.IsCompleted)
            {
                // Nobody may wait for it any more (a primed dial whose call failed first): not
                // waited for here, since an unreachable peer holds it until its connect timeout.
                _ = CloseWhenDialledAsync(dial);
            }
        }
        _connections.Clear();
    }

    private static async Task CloseWhenDialledAsync(Task<ITransportConnection> dial)
    {
        ITransportConnection connection;
        try
        {
            connection = await dial.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // The dial failed: it opened nothing.
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    // A Task (not the transport's ValueTask) so that concurrent callers can all await one dial. Not
    // an async method: one state machine less to compile on a process's first call.
    private static Task<ITransportConnection> DialAsync(ITransport transport, string address)
    {
        try
        {
            return transport.DialAsync(address).AsTask();
        }
        catch (Exception e)
        {
            return Task.FromException<ITransportConnection>(e);
        }
    }
}
