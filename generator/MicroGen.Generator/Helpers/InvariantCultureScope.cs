using System;
using System.Globalization;

namespace MicroGen.Generator.Helpers;

/// <summary>
/// Runs parsing and emitting under the invariant culture, restoring the caller's on dispose, so
/// that no culture-sensitive formatting leaks into generated code (in fi-FI, for example,
/// <c>(-1).ToString()</c> gives U+2212 MINUS SIGN, which does not compile).
/// </summary>
internal readonly struct InvariantCultureScope : IDisposable
{
    private readonly CultureInfo _previous;

    private InvariantCultureScope(CultureInfo previous) => _previous = previous;

    /// <summary>Switches the current thread to the invariant culture.</summary>
    public static InvariantCultureScope Enter()
    {
        // RS1035 bans CurrentCulture in analyzers so that diagnostics are localized; here it is set
        // precisely to keep the (unlocalized) generated source culture-independent, as the
        // System.Text.Json generator does.
#pragma warning disable RS1035
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
#pragma warning restore RS1035
        return new InvariantCultureScope(previous);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
#pragma warning disable RS1035
        if (_previous is not null)
        {
            CultureInfo.CurrentCulture = _previous;
        }
#pragma warning restore RS1035
    }
}
