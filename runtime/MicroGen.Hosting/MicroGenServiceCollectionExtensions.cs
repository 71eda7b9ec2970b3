using System;
using MicroGen.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MicroGen.Hosting;

/// <summary>Registers a MicroGen service with Microsoft.Extensions.DependencyInjection.</summary>
public static class MicroGenServiceCollectionExtensions
{
    /// <summary>
    /// Adds a MicroGen <see cref="IService"/> (singleton) whose server starts with the host and
    /// drains when it stops. Parts left unset in <paramref name="configure"/> use the embedded
    /// defaults; logs go to the host's <see cref="ILoggerFactory"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddMicroGen(o => o.Name = "greeter")
    ///     .AddHandler&lt;IGreeter, GreeterHandler&gt;()
    ///     .AddClient&lt;IUsers&gt;();
    /// </code>
    /// </example>
    public static MicroGenBuilder AddMicroGen(this IServiceCollection services, Action<ServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new MicroGenBuilder(services);
        services.TryAddSingleton(builder);
        services.TryAddSingleton<IService>(provider =>
        {
            var options = new ServiceOptions();
            configure?.Invoke(options);
            options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
            return new MicroService(options);
        });
        services.TryAddSingleton(provider => provider.GetRequiredService<IService>().Client);
        services.AddHostedService<MicroGenHostedService>();
        return builder;
    }
}
