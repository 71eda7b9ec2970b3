using System;

namespace MicroGen.Codec;

/// <summary>
/// The payload of a method with no arguments, and the result of a method that returns
/// <see cref="System.Threading.Tasks.Task"/>. Every codec carries it: MessagePack as nil, JSON as
/// <c>null</c>, protobuf as zero bytes.
/// </summary>
public readonly struct Empty : IEquatable<Empty>
{
    /// <summary>The only value.</summary>
    public static Empty Value => default;

    /// <inheritdoc/>
    public bool Equals(Empty other) => true;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Empty;

    /// <inheritdoc/>
    public override int GetHashCode() => 0;
}
