using System;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Service;
using Microsoft.Extensions.Hosting;

namespace MicroGen.Hosting;

/// <summary>Starts the MicroGen server with the host and stops it (drain, deregister) with the host.</summary>
internal sealed class MicroGenHostedService(IService service, MicroGenBuilder builder, IServiceProvider provider) : IHostedService
{
    private bool _started;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (builder.Handlers.Count == 0)
        {
            // A client-only process: nothing to serve, nothing to register.
            return;
        }
        foreach (var add in builder.Handlers)
        {
            add(service, provider);
        }
        await service.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            await service.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
