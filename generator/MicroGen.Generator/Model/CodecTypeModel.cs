using System;
using MicroGen.Generator.Helpers;

namespace MicroGen.Generator.Model;

/// <summary>How the codec routines of a type are written.</summary>
internal enum CodecTypeKind
{
    /// <summary>A class, record or struct: a MessagePack map and a JSON object keyed by member names.</summary>
    Object,

    /// <summary>A generated argument struct: a MessagePack array and a JSON object keyed by parameter names.</summary>
    ArgumentStruct,

    /// <summary>An enum: its underlying integer in MessagePack, its member name in JSON.</summary>
    Enum,

    /// <summary>A closed collection or <c>Nullable&lt;T&gt;</c>, carried by MessagePack's and MicroGen's own generic routines.</summary>
    Collection,

    /// <summary>A Google.Protobuf message, carried by its own generated code.</summary>
    Protobuf,
}

/// <summary>The collections (and <c>Nullable&lt;T&gt;</c>) the generator registers routines for.</summary>
internal enum CollectionKind
{
    /// <summary>Not a collection.</summary>
    None,

    /// <summary><c>T[]</c>.</summary>
    Array,

    /// <summary><c>List&lt;T&gt;</c>.</summary>
    List,

    /// <summary><c>IReadOnlyList&lt;T&gt;</c>.</summary>
    ReadOnlyList,

    /// <summary><c>Dictionary&lt;TKey, TValue&gt;</c>.</summary>
    Dictionary,

    /// <summary><c>IReadOnlyDictionary&lt;TKey, TValue&gt;</c>.</summary>
    ReadOnlyDictionary,

    /// <summary><c>Nullable&lt;T&gt;</c>.</summary>
    Nullable,
}

/// <summary>A type whose codec routines (MessagePack formatter and JSON routine) are generated or registered.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record CodecTypeModel : IComparable<CodecTypeModel>
{
    /// <summary>The type's fully qualified name without nullable reference annotations: its identity.</summary>
    public required string FullName { get; init; }

    /// <summary>How its routines are written.</summary>
    public required CodecTypeKind Kind { get; init; }

    /// <summary>Whether the type is a value type (no <c>null</c> to carry).</summary>
    public required bool IsValueType { get; init; }

    /// <summary>The members (objects) or parameters (argument structs), in declaration order.</summary>
    public required EquatableArray<MemberModel> Members { get; init; }

    /// <summary>Whether an object is built with a constructor taking parameters (see <see cref="MemberModel.ConstructorIndex"/>).</summary>
    public required bool HasParameterizedConstructor { get; init; }

    /// <summary>The enum's underlying type keyword, for example <c>int</c>; empty for other kinds.</summary>
    public required string EnumUnderlyingType { get; init; }

    /// <summary>The enum's members.</summary>
    public required EquatableArray<EnumMemberModel> EnumMembers { get; init; }

    /// <summary>Which collection, for <see cref="CodecTypeKind.Collection"/>.</summary>
    public required CollectionKind CollectionKind { get; init; }

    /// <summary>The element type (or value type of a dictionary, or underlying type of a nullable).</summary>
    public required TypeRef? ElementType { get; init; }

    /// <summary>The key type of a dictionary.</summary>
    public required TypeRef? KeyType { get; init; }

    /// <inheritdoc/>
    public int CompareTo(CodecTypeModel? other) => string.CompareOrdinal(FullName, other?.FullName);
}

/// <summary>A reference to a type from a member, parameter or element.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record TypeRef
{
    /// <summary>The type as declared, fully qualified with its nullable annotations (<c>global::System.Collections.Generic.List&lt;string?&gt;?</c>).</summary>
    public required string DeclaredName { get; init; }

    /// <summary>The type's identity: fully qualified without nullable reference annotations.</summary>
    public required string FullName { get; init; }

    /// <summary>
    /// The name of the built-in <c>JsonRoutines</c> member that carries the type (<c>Int32</c>,
    /// <c>String</c>…), or null when the type has generated or registered routines.
    /// </summary>
    public required string? Builtin { get; init; }

    /// <summary>Whether the type is a value type.</summary>
    public required bool IsValueType { get; init; }

    /// <summary>Whether the type is an enum (usable as a JSON dictionary key).</summary>
    public required bool IsEnum { get; init; }
}

/// <summary>A member of an object, or a parameter of an argument struct.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record MemberModel
{
    /// <summary>The member name exactly as declared: the MessagePack key.</summary>
    public required string Name { get; init; }

    /// <summary>The member name as an identifier, escaped when it is a keyword.</summary>
    public required string Identifier { get; init; }

    /// <summary>The JSON property name (camelCase).</summary>
    public required string JsonName { get; init; }

    /// <summary>The member's type.</summary>
    public required TypeRef Type { get; init; }

    /// <summary>The position of the constructor parameter that sets the member, or -1.</summary>
    public required int ConstructorIndex { get; init; }

    /// <summary>Whether reading sets the member in an object initializer (settable, <c>init</c> or <c>required</c>).</summary>
    public required bool SetInInitializer { get; init; }
}

/// <summary>A member of an enum.</summary>
/// <remarks>Immutable and value-equatable; holds no symbol, syntax node, location or compilation.</remarks>
internal sealed record EnumMemberModel
{
    /// <summary>The member name (escaped as an identifier when it is a keyword).</summary>
    public required string Identifier { get; init; }

    /// <summary>The member name as written in JSON.</summary>
    public required string Name { get; init; }

    /// <summary>The constant value as a C# literal of the underlying type.</summary>
    public required string Value { get; init; }
}
