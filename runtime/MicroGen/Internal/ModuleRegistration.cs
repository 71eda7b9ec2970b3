using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MicroGen.Internal;

/// <summary>
/// Makes sure the generated module initializer of the assembly declaring a type has run before
/// its registrations are looked up. The runtime runs a module initializer on first access to the
/// module's code, and looking up a contract or event type by generic argument touches none of it
/// when the contracts live in another assembly than the caller.
/// </summary>
internal static class ModuleRegistration
{
    private static readonly ConcurrentDictionary<ModuleHandle, bool> s_ran = new();

    /// <summary>Runs the module initializer of <paramref name="type"/>'s module once; true if it ran now.</summary>
    public static bool Ensure(Type type)
    {
        var module = type.Module.ModuleHandle;
        if (!s_ran.TryAdd(module, true))
        {
            return false;
        }
        try
        {
            RuntimeHelpers.RunModuleConstructor(module);
            return true;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or NotSupportedException)
        {
            // Native AOT runs every module initializer at start-up, so there is nothing left to run.
            return false;
        }
    }
}
