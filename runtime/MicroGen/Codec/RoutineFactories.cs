using System;
using System.Collections.Concurrent;

namespace MicroGen.Codec;

/// <summary>
/// A codec's routines registered by type and made on the type's first use, so that a generated
/// module initializer compiles and creates nothing per type (see
/// <see cref="MessagePackCodec.Register(Type, Func{object})"/>).
/// </summary>
internal sealed class RoutineFactories
{
    private readonly ConcurrentDictionary<Type, Func<object>> _factories = new();

    public void Add(Type type, Func<object> create)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(create);
        _factories[type] = create;
    }

    /// <summary>The routine registered for <paramref name="type"/>, made now; null when none is.</summary>
    public object? Create(Type type) => _factories.TryGetValue(type, out var create) ? create() : null;
}
