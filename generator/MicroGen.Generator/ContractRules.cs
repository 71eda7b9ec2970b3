using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MicroGen.Generator.Model;
using MethodKind = MicroGen.Generator.Model.MethodKind;

namespace MicroGen.Generator;

/// <summary>
/// The rules of a MicroGen contract: which methods, parameters, results and payload types the
/// generator can carry. The generator's parser applies them (skipping what breaks them) and the
/// analyzers share them to report the same mistakes as diagnostics, so the two never disagree.
/// </summary>
internal static partial class ContractRules
{
    /// <summary>The metadata name of <c>[MicroService]</c>.</summary>
    public const string MicroServiceAttribute = "MicroGen.MicroServiceAttribute";

    /// <summary>The metadata name of <c>[MicroEvent]</c>.</summary>
    public const string MicroEventAttribute = "MicroGen.MicroEventAttribute";

    /// <summary>The metadata name of <c>[Endpoint]</c>.</summary>
    public const string EndpointAttribute = "MicroGen.EndpointAttribute";

    /// <summary>The metadata name of <c>[Idempotent]</c>.</summary>
    public const string IdempotentAttribute = "MicroGen.IdempotentAttribute";

    /// <summary>The version of a contract whose <c>[MicroService]</c> sets none.</summary>
    public const string DefaultVersion = "latest";

    /// <summary>
    /// The contract name: the interface name without a leading <c>I</c> followed by an upper-case
    /// letter (<c>IGreeter</c> gives <c>Greeter</c>, <c>Index</c> stays <c>Index</c>).
    /// </summary>
    public static string GetContractName(string interfaceName) =>
        interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1])
            ? interfaceName.Substring(1)
            : interfaceName;

    /// <summary>
    /// The endpoint name of a method: <c>{Contract}.{Method}</c>; an <c>[Endpoint]</c> name without a
    /// dot replaces the method part, one with a dot is the whole endpoint name.
    /// </summary>
    public static string GetEndpointName(string contractName, string methodName, string? endpointOverride)
    {
        if (endpointOverride is null)
        {
            return contractName + "." + methodName;
        }
        return endpointOverride.IndexOf('.') >= 0 ? endpointOverride : contractName + "." + endpointOverride;
    }

    /// <summary>Whether an <c>[Endpoint]</c> name is usable: not empty, no white space, no leading or trailing dot.</summary>
    public static bool IsValidEndpointOverride(string? name) =>
        name is { Length: > 0 } && !name.Any(char.IsWhiteSpace) && name[0] != '.' && name[name.Length - 1] != '.';

    /// <summary>Whether <paramref name="type"/> is <c>System.Threading.CancellationToken</c>.</summary>
    public static bool IsCancellationToken(ITypeSymbol type) => Is(type, "System.Threading", "CancellationToken");

    /// <summary>Whether <paramref name="type"/> is <c>IAsyncEnumerable&lt;T&gt;</c>, the streaming shape.</summary>
    public static bool IsAsyncEnumerable(ITypeSymbol type) => Is(type.OriginalDefinition, "System.Collections.Generic", "IAsyncEnumerable`1");

    /// <summary>The item type <c>T</c> of an <c>IAsyncEnumerable&lt;T&gt;</c>, or null when <paramref name="type"/> is not one.</summary>
    public static ITypeSymbol? GetStreamItemType(ITypeSymbol type) =>
        IsAsyncEnumerable(type) && type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0] : null;

    /// <summary>
    /// How many <c>IAsyncEnumerable&lt;T&gt;</c> parameters a method takes. A contract method takes at
    /// most one (the caller's side of a client-streaming or duplex call); any other parameters,
    /// before or after it, make up the request payload like a unary method's arguments.
    /// </summary>
    public static int CountStreamParameters(IMethodSymbol method) => method.Parameters.Count(static p => IsAsyncEnumerable(p.Type));

    /// <summary>
    /// The shape of a method: streaming when it returns or takes an <c>IAsyncEnumerable&lt;T&gt;</c>,
    /// unary otherwise.
    /// </summary>
    public static MethodKind GetMethodKind(IMethodSymbol method)
    {
        var streamsIn = method.Parameters.Any(static p => IsAsyncEnumerable(p.Type));
        var streamsOut = IsAsyncEnumerable(method.ReturnType);
        return (streamsIn, streamsOut) switch
        {
            (true, true) => MethodKind.DuplexStreaming,
            (true, false) => MethodKind.ClientStreaming,
            (false, true) => MethodKind.ServerStreaming,
            _ => MethodKind.Unary,
        };
    }

    /// <summary>
    /// Classifies a unary method's return type: <c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c>
    /// or <c>ValueTask&lt;T&gt;</c>; anything else is not a contract method.
    /// </summary>
    public static bool TryGetReturnShape(ITypeSymbol returnType, out ReturnShape shape, out ITypeSymbol? result)
    {
        result = null;
        shape = default;
        if (returnType is not INamedTypeSymbol named)
        {
            return false;
        }
        if (Is(named, "System.Threading.Tasks", "Task"))
        {
            shape = ReturnShape.Task;
            return true;
        }
        if (Is(named, "System.Threading.Tasks", "ValueTask"))
        {
            shape = ReturnShape.ValueTask;
            return true;
        }
        if (Is(named.OriginalDefinition, "System.Threading.Tasks", "Task`1"))
        {
            shape = ReturnShape.TaskOfT;
            result = named.TypeArguments[0];
            return true;
        }
        if (Is(named.OriginalDefinition, "System.Threading.Tasks", "ValueTask`1"))
        {
            shape = ReturnShape.ValueTaskOfT;
            result = named.TypeArguments[0];
            return true;
        }
        return false;
    }

    /// <summary>
    /// The name of the <c>MicroGen.Codec.JsonRoutines</c> member that carries a leaf type (primitives,
    /// <c>string</c>, <c>decimal</c>, <c>Guid</c>, dates, <c>TimeSpan</c>, <c>byte[]</c>, <c>Empty</c>),
    /// or null when the type is not a leaf.
    /// </summary>
    public static string? GetBuiltinRoutineName(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "Boolean";
            case SpecialType.System_Byte: return "Byte";
            case SpecialType.System_SByte: return "SByte";
            case SpecialType.System_Int16: return "Int16";
            case SpecialType.System_UInt16: return "UInt16";
            case SpecialType.System_Int32: return "Int32";
            case SpecialType.System_UInt32: return "UInt32";
            case SpecialType.System_Int64: return "Int64";
            case SpecialType.System_UInt64: return "UInt64";
            case SpecialType.System_Single: return "Single";
            case SpecialType.System_Double: return "Double";
            case SpecialType.System_Decimal: return "Decimal";
            case SpecialType.System_Char: return "Char";
            case SpecialType.System_String: return "String";
            case SpecialType.System_DateTime: return "DateTime";
        }
        if (type is IArrayTypeSymbol { IsSZArray: true, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return "Bytes";
        }
        if (Is(type, "System", "Guid"))
        {
            return "Guid";
        }
        if (Is(type, "System", "DateTimeOffset"))
        {
            return "DateTimeOffset";
        }
        if (Is(type, "System", "TimeSpan"))
        {
            return "TimeSpan";
        }
        if (Is(type, "MicroGen.Codec", "Empty"))
        {
            return "Empty";
        }
        return null;
    }

    /// <summary>Whether a built-in leaf routine can key a JSON object (every leaf but <c>byte[]</c> and <c>Empty</c>).</summary>
    public static bool IsBuiltinJsonKey(string builtinRoutineName) => builtinRoutineName is not ("Bytes" or "Empty");

    /// <summary>
    /// Which supported collection <paramref name="type"/> is, with its element (or value) and key
    /// types; <see cref="CollectionKind.None"/> when it is none of them.
    /// </summary>
    public static CollectionKind GetCollectionKind(ITypeSymbol type, out ITypeSymbol? key, out ITypeSymbol? element)
    {
        key = null;
        element = null;
        if (type is IArrayTypeSymbol array)
        {
            if (!array.IsSZArray)
            {
                return CollectionKind.None;
            }
            element = array.ElementType;
            return CollectionKind.Array;
        }
        if (type is not INamedTypeSymbol { IsGenericType: true } named)
        {
            return CollectionKind.None;
        }
        var definition = named.OriginalDefinition;
        if (definition.SpecialType == SpecialType.System_Nullable_T)
        {
            element = named.TypeArguments[0];
            return CollectionKind.Nullable;
        }
        if (Is(definition, "System.Collections.Generic", "List`1"))
        {
            element = named.TypeArguments[0];
            return CollectionKind.List;
        }
        if (Is(definition, "System.Collections.Generic", "IReadOnlyList`1"))
        {
            element = named.TypeArguments[0];
            return CollectionKind.ReadOnlyList;
        }
        if (Is(definition, "System.Collections.Generic", "Dictionary`2"))
        {
            key = named.TypeArguments[0];
            element = named.TypeArguments[1];
            return CollectionKind.Dictionary;
        }
        if (Is(definition, "System.Collections.Generic", "IReadOnlyDictionary`2"))
        {
            key = named.TypeArguments[0];
            element = named.TypeArguments[1];
            return CollectionKind.ReadOnlyDictionary;
        }
        return CollectionKind.None;
    }

    /// <summary>
    /// Whether <paramref name="type"/> is a Google.Protobuf message or MicroGen's <c>Empty</c>: a
    /// method whose payloads, items and result are all such types defaults to <c>application/protobuf</c>.
    /// </summary>
    public static bool IsProtobufOrEmpty(ITypeSymbol type) => IsProtobufMessage(type) || Is(type, "MicroGen.Codec", "Empty");

    /// <summary>Whether <paramref name="type"/> is a Google.Protobuf message: a class implementing <c>IMessage&lt;itself&gt;</c>.</summary>
    public static bool IsProtobufMessage(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Class } named &&
        // The definition's interfaces first: a constructed type's (List<T>'s) are substituted anew for every compilation.
        HasProtobufMessageInterface(named.OriginalDefinition) &&
        named.AllInterfaces.Any(i =>
            Is(i.OriginalDefinition, "Google.Protobuf", "IMessage`1") &&
            SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], named));

    private static bool HasProtobufMessageInterface(INamedTypeSymbol definition)
    {
        foreach (var i in definition.AllInterfaces)
        {
            if (Is(i.OriginalDefinition, "Google.Protobuf", "IMessage`1"))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether <paramref name="type"/> can be an object payload (a class, record or struct of the
    /// user's): not abstract, not generic-open, not a ref struct, and not a framework type (those
    /// the generator carries are leaves or collections, handled before).
    /// </summary>
    public static bool IsObjectCandidate(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, IsAbstract: false, IsStatic: false, IsRefLikeType: false, IsUnboundGenericType: false } named &&
        named.SpecialType == SpecialType.None &&
        !ContainsTypeParameter(named) &&
        !IsFrameworkType(named);

    /// <summary>Whether a type lives in a <c>System</c> or <c>Microsoft</c> namespace (of the framework, not a user namespace ending in <c>.System</c>).</summary>
    public static bool IsFrameworkType(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace;
        while (ns is { ContainingNamespace.IsGlobalNamespace: false })
        {
            ns = ns.ContainingNamespace;
        }
        return ns is { IsGlobalNamespace: false, Name: "System" or "Microsoft" };
    }

    /// <summary>Whether <paramref name="type"/> mentions a type parameter anywhere (an open generic).</summary>
    public static bool ContainsTypeParameter(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter) ||
            (named.ContainingType is { } outer && ContainsTypeParameter(outer)),
        _ => false,
    };

    /// <summary>Whether a type and all its containing types are declared <c>public</c>.</summary>
    public static bool IsEffectivelyPublic(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether a data member (public instance property or field) is carried by the codecs.</summary>
    public static bool IsDataMember(ISymbol member) => member.Kind switch
    {
        // Kind first: most members are methods, and a type test against an interface is slow.
        SymbolKind.Property when member is IPropertySymbol property => !property.IsStatic && !property.IsIndexer && !property.ReturnsByRef && !property.ReturnsByRefReadonly &&
            property.DeclaredAccessibility == Accessibility.Public &&
            property.GetMethod is { DeclaredAccessibility: Accessibility.Public } &&
            !IsIgnored(property),
        SymbolKind.Field when member is IFieldSymbol field => !field.IsStatic && !field.IsConst && !field.IsImplicitlyDeclared &&
            field.DeclaredAccessibility == Accessibility.Public && !field.IsFixedSizeBuffer &&
            !IsIgnored(field),
        _ => false,
    };

    /// <summary>Whether a member is marked to be left out by a serializer attribute (<c>[IgnoreDataMember]</c>, <c>[JsonIgnore]</c>, <c>[IgnoreMember]</c>).</summary>
    public static bool IsIgnored(ISymbol member) =>
        member.GetAttributes().Any(static a => a.AttributeClass?.Name is "IgnoreDataMemberAttribute" or "JsonIgnoreAttribute" or "IgnoreMemberAttribute");

    /// <summary>
    /// The JSON name of a member or parameter: camelCase as System.Text.Json's
    /// <c>JsonNamingPolicy.CamelCase</c> writes it (<c>URLValue</c> gives <c>urlValue</c>).
    /// </summary>
    public static string ToCamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }
            var hasNext = i + 1 < chars.Length;
            // Stop at the last upper-case letter of a leading run when a lower-case letter follows: "URLValue" -> "urlValue".
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (char.IsSeparator(chars[i + 1]))
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }
                break;
            }
            chars[i] = char.ToLowerInvariant(chars[i]);
        }
        return new string(chars);
    }

    /// <summary>Escapes a name that is a C# keyword as a verbatim identifier (<c>class</c> gives <c>@class</c>).</summary>
    public static string EscapeIdentifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.AwaitKeyword
            ? "@" + name
            : name;

    /// <summary>Whether <paramref name="type"/> is <c>MicroGen.MicroServiceAttribute</c>.</summary>
    public static bool IsMicroServiceAttribute(INamedTypeSymbol? type) => type is not null && Is(type, "MicroGen", "MicroServiceAttribute");

    /// <summary>Whether <paramref name="type"/> is <c>MicroGen.MicroEventAttribute</c>.</summary>
    public static bool IsMicroEventAttribute(INamedTypeSymbol? type) => type is not null && Is(type, "MicroGen", "MicroEventAttribute");

    private static bool Is(ITypeSymbol type, string ns, string metadataName) =>
        HasNamePrefix(type.Name, metadataName) && type.MetadataName == metadataName && type.ContainingType is null && IsNamespace(type.ContainingNamespace, ns);

    // MetadataName builds a new string for a generic type: asked only once Name ("Task" of "Task`1") matches.
    private static bool HasNamePrefix(string name, string metadataName) =>
        name.Length <= metadataName.Length &&
        string.CompareOrdinal(name, 0, metadataName, 0, name.Length) == 0 &&
        (name.Length == metadataName.Length || metadataName[name.Length] == '`');

    /// <summary>
    /// <see cref="Compilation.IsSymbolAccessibleWithin"/> of the compilation's assembly, answered
    /// without it for public types of public types (and arrays of them), which are accessible anywhere:
    /// it checks the symbol against every reference of the compilation first.
    /// </summary>
    public static bool IsAccessibleInAssembly(ITypeSymbol type, Compilation compilation) =>
        IsPublicEverywhere(type) || compilation.IsSymbolAccessibleWithin(type, compilation.Assembly);

    private static bool IsPublicEverywhere(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol array)
        {
            return IsPublicEverywhere(array.ElementType);
        }
        if (type is not INamedTypeSymbol { TypeKind: not TypeKind.Error } named)
        {
            return false;
        }
        for (var t = named; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
            foreach (var argument in t.TypeArguments)
            {
                if (!IsPublicEverywhere(argument))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="ns"/> is the namespace named <paramref name="name"/> (dotted), without building its display string.</summary>
    private static bool IsNamespace(INamespaceSymbol? ns, string name)
    {
        // Compares segments from the innermost out; the parser asks this for every type it sees.
        var end = name.Length;
        for (; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (end <= 0)
            {
                return false;
            }
            var start = name.LastIndexOf('.', end - 1) + 1;
            var segment = ns.Name;
            if (segment.Length != end - start || string.CompareOrdinal(segment, 0, name, start, segment.Length) != 0)
            {
                return false;
            }
            end = start - 1;
        }
        return ns is not null && end == -1;
    }
}
