using System.Collections.Generic;

namespace MicroGen.Transport.Internal;

/// <summary>
/// A connection's calls or streams by stream id. Keyed by <see cref="int"/> underneath, as
/// CoreLib's precompiled image holds <c>Dictionary&lt;int, T&gt;</c> but not the <see cref="uint"/>
/// key: a <c>Dictionary&lt;uint, T&gt;</c> was JIT-compiled (six methods) before a process's first
/// reply. Not thread-safe: the owning connection guards it with a lock.
/// </summary>
internal sealed class StreamTable<T> where T : class
{
    private readonly Dictionary<int, T> _entries = new();

    public int Count => _entries.Count;

    /// <summary>The entries, in no particular order; not to be changed while enumerated.</summary>
    public Dictionary<int, T>.ValueCollection Values => _entries.Values;

    public void Add(uint streamId, T value) => _entries.Add(unchecked((int)streamId), value);

    public bool ContainsKey(uint streamId) => _entries.ContainsKey(unchecked((int)streamId));

    public bool TryGetValue(uint streamId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value) =>
        _entries.TryGetValue(unchecked((int)streamId), out value);

    public bool Remove(uint streamId) => _entries.Remove(unchecked((int)streamId));

    public bool Remove(uint streamId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value) =>
        _entries.Remove(unchecked((int)streamId), out value);

    public void Clear() => _entries.Clear();
}
