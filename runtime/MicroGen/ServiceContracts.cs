using System;
using System.Diagnostics.CodeAnalysis;
using MicroGen.Client;
using MicroGen.Server;

namespace MicroGen;

/// <summary>
/// The table generated code fills (from a module initializer) so that <see cref="IClient.For{TService}"/>
/// and <see cref="IServer.Handle{TService}"/> find the proxy and dispatcher without reflection.
/// </summary>
public static class ServiceContracts
{
    /// <summary>Registers the generated code of contract <typeparamref name="TService"/>.</summary>
    public static void Register<TService>(ServiceContract<TService> contract) where TService : class =>
        Slot<TService>.Contract = contract ?? throw new ArgumentNullException(nameof(contract));

    /// <summary>Gets the generated code of contract <typeparamref name="TService"/>.</summary>
    public static bool TryGet<TService>([NotNullWhen(true)] out ServiceContract<TService>? contract) where TService : class
    {
        contract = Slot<TService>.Contract;
        if (contract is null && Internal.ModuleRegistration.Ensure(typeof(TService)))
        {
            contract = Slot<TService>.Contract;
        }
        return contract is not null;
    }

    /// <summary>Gets the generated code of contract <typeparamref name="TService"/>, or throws a clear error.</summary>
    /// <exception cref="InvalidOperationException">Nothing is registered for <typeparamref name="TService"/>.</exception>
    public static ServiceContract<TService> Get<TService>() where TService : class =>
        TryGet<TService>(out var contract) ? contract : throw new InvalidOperationException(
            $"No generated MicroGen code is registered for {typeof(TService).FullName}. Mark the interface [MicroService] " +
            "and reference the MicroGen package (which brings the source generator) from the project that declares it.");

    private static class Slot<TService> where TService : class
    {
        public static ServiceContract<TService>? Contract;
    }
}

/// <summary>The generated code of one contract: its descriptor, proxy factory and dispatcher factory.</summary>
/// <typeparam name="TService">The <c>[MicroService]</c> interface.</typeparam>
public sealed class ServiceContract<TService> where TService : class
{
    private readonly Func<IClient, CallOptions?, TService> _createClient;
    private readonly Func<TService, IServiceDispatcher> _createDispatcher;

    private readonly Func<ServiceDescriptor>? _describe;
    private ServiceDescriptor? _descriptor;

    /// <summary>Creates the registration.</summary>
    public ServiceContract(ServiceDescriptor descriptor, Func<IClient, CallOptions?, TService> createClient, Func<TService, IServiceDispatcher> createDispatcher)
    {
        _descriptor = descriptor ?? throw new ArgumentNullException(nameof(descriptor));
        _createClient = createClient ?? throw new ArgumentNullException(nameof(createClient));
        _createDispatcher = createDispatcher ?? throw new ArgumentNullException(nameof(createDispatcher));
    }

    /// <summary>
    /// Creates the registration with a descriptor made on first use. Generated module initializers
    /// use this, so that start-up builds no descriptor (and compiles none of its methods' generic
    /// types) for a contract the process never calls or serves.
    /// </summary>
    public ServiceContract(Func<ServiceDescriptor> describe, Func<IClient, CallOptions?, TService> createClient, Func<TService, IServiceDispatcher> createDispatcher)
    {
        _describe = describe ?? throw new ArgumentNullException(nameof(describe));
        _createClient = createClient ?? throw new ArgumentNullException(nameof(createClient));
        _createDispatcher = createDispatcher ?? throw new ArgumentNullException(nameof(createDispatcher));
    }

    /// <summary>The contract's descriptor.</summary>
    public ServiceDescriptor Descriptor => _descriptor ?? Describe();

    private ServiceDescriptor Describe()
    {
        // Generated descriptors are static singletons: a race makes the same one twice at most.
        var descriptor = _describe!() ?? throw new InvalidOperationException($"the descriptor of {typeof(TService).FullName} is null");
        _descriptor = descriptor;
        return descriptor;
    }

    /// <summary>Creates the generated proxy over <paramref name="client"/>.</summary>
    public TService CreateClient(IClient client, CallOptions? options = null) => _createClient(client, options);

    /// <summary>Creates the generated dispatcher over <paramref name="handler"/>.</summary>
    public IServiceDispatcher CreateDispatcher(TService handler) => _createDispatcher(handler);
}
