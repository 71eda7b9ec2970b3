using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace MicroGen.TestHost;

/// <summary>The contract the multi-process tests call: each answer names the node that served it.</summary>
[MicroService("probe", Version = "1.0.0")]
public interface IProbe
{
    Task<string> WhoAmI(CancellationToken cancellationToken = default);

    Task<string> SlowWhoAmI(int milliseconds, CancellationToken cancellationToken = default);

    [Idempotent]
    Task<string> IdempotentSlowWhoAmI(int milliseconds, CancellationToken cancellationToken = default);

    /// <summary>Counts up forever, one item every <paramref name="milliseconds"/>.</summary>
    IAsyncEnumerable<int> Ticks(int milliseconds, CancellationToken cancellationToken = default);

    /// <summary>Whether this process has loaded System.Security.Cryptography (and with it OpenSSL) so far.</summary>
    Task<bool> HasLoadedCryptography(CancellationToken cancellationToken = default);
}

/// <param name="nodeId">The answer of every call.</param>
/// <param name="started">Told the method name when a slow call starts, so a test knows a call is in flight here.</param>
public sealed class ProbeHandler(string nodeId, Action<string>? started = null) : IProbe
{
    public Task<string> WhoAmI(CancellationToken cancellationToken = default) => Task.FromResult(nodeId);

    public Task<string> SlowWhoAmI(int milliseconds, CancellationToken cancellationToken = default) =>
        SlowAsync(nameof(SlowWhoAmI), milliseconds, cancellationToken);

    public Task<string> IdempotentSlowWhoAmI(int milliseconds, CancellationToken cancellationToken = default) =>
        SlowAsync(nameof(IdempotentSlowWhoAmI), milliseconds, cancellationToken);

    private async Task<string> SlowAsync(string method, int milliseconds, CancellationToken cancellationToken)
    {
        started?.Invoke(method);
        await Task.Delay(milliseconds, cancellationToken);
        return nodeId;
    }

    public Task<bool> HasLoadedCryptography(CancellationToken cancellationToken = default) =>
        Task.FromResult(AppDomain.CurrentDomain.GetAssemblies().Any(static a => a.GetName().Name == "System.Security.Cryptography"));

    public async IAsyncEnumerable<int> Ticks(int milliseconds, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            yield return i;
            await Task.Delay(milliseconds, cancellationToken);
        }
    }
}
