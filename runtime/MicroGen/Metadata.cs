using System;
using System.Collections;
using System.Collections.Generic;

namespace MicroGen;

/// <summary>
/// go-micro's <c>metadata</c>: string headers that travel with a call or an event. Keys are
/// case-insensitive, as HTTP headers are.
/// </summary>
public sealed class Metadata : IEnumerable<KeyValuePair<string, string>>
{
    private readonly Dictionary<string, string> _entries;

    /// <summary>Creates empty metadata.</summary>
    public Metadata() => _entries = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates metadata holding a copy of <paramref name="entries"/>.</summary>
    public Metadata(IEnumerable<KeyValuePair<string, string>> entries)
        : this()
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (key, value) in entries)
        {
            _entries[key] = value;
        }
    }

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Gets or sets a header. Getting a missing key throws <see cref="KeyNotFoundException"/>.</summary>
    public string this[string key]
    {
        get => _entries[key];
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            _entries[key] = value ?? throw new ArgumentNullException(nameof(value));
        }
    }

    /// <summary>Adds or replaces a header and returns this instance, for chaining.</summary>
    public Metadata Set(string key, string value)
    {
        this[key] = value;
        return this;
    }

    /// <summary>Gets a header if present.</summary>
    public bool TryGetValue(string key, out string value) => _entries.TryGetValue(key, out value!);

    /// <summary>Gets a header, or <see langword="null"/> when absent.</summary>
    public string? Get(string key) => _entries.TryGetValue(key, out var value) ? value : null;

    /// <summary>Whether a header is present.</summary>
    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    /// <summary>Removes a header.</summary>
    public bool Remove(string key) => _entries.Remove(key);

    /// <summary>Removes every header.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>Copies every entry of <paramref name="other"/> into this instance, replacing equal keys.</summary>
    public void MergeFrom(Metadata? other)
    {
        if (other is null)
        {
            return;
        }
        foreach (var (key, value) in other._entries)
        {
            _entries[key] = value;
        }
    }

    /// <summary>A copy of this metadata.</summary>
    public Metadata Clone() => new(_entries);

    /// <inheritdoc/>
    public Dictionary<string, string>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();
}
