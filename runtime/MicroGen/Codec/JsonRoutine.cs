using System.Text.Json;

namespace MicroGen.Codec;

/// <summary>
/// Writes and reads one type as JSON with <see cref="Utf8JsonWriter"/>/<see cref="Utf8JsonReader"/>.
/// The generator writes one per contract type; <see cref="JsonRoutines"/> has the built-ins.
/// </summary>
/// <typeparam name="T">The type.</typeparam>
public abstract class JsonRoutine<T>
{
    /// <summary>Writes <paramref name="value"/> as one JSON value.</summary>
    public abstract void Write(Utf8JsonWriter writer, T value);

    /// <summary>
    /// Reads one JSON value whose first token is the reader's current token, leaving the reader on
    /// the value's last token.
    /// </summary>
    public abstract T Read(ref Utf8JsonReader reader);
}

/// <summary>
/// A type usable as a JSON object key: dictionaries with such keys are written as JSON objects.
/// </summary>
/// <typeparam name="T">The key type.</typeparam>
public abstract class JsonKeyRoutine<T> : JsonRoutine<T>
{
    /// <summary>The property name for <paramref name="key"/>.</summary>
    public abstract string ToPropertyName(T key);

    /// <summary>Parses a property name back into a key.</summary>
    public abstract T FromPropertyName(string name);
}
