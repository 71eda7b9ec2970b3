using System;
using MicroGen.Service;

namespace MicroGen;

/// <summary>The entry point: <c>Micro.CreateService(o => o.Name = "greeter")</c>, as go-micro's <c>micro.NewService</c>.</summary>
public static class Micro
{
    /// <summary>Creates a service; parts left unset in <paramref name="configure"/> use the embedded defaults.</summary>
    public static IService CreateService(Action<ServiceOptions>? configure = null)
    {
        var options = new ServiceOptions();
        configure?.Invoke(options);
        return new MicroService(options);
    }
}
