using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MicroGen.Generator.Helpers;

/// <summary>
/// Type names exactly as <see cref="SymbolDisplayFormat.FullyQualifiedFormat"/> writes them, without
/// (<see cref="Identity"/>) or with (<see cref="Declared"/>) nullable reference annotations.
/// ToDisplayString was the parser's largest cost, re-run for every contract on every edit, so the
/// common shapes (namespaced types, generics, <c>T?</c> of value types, <c>T[]</c>, keywords) are
/// built here and anything else (tuples, nested in generics, escaped names...) is left to it.
/// Scoped to one transform call: it holds symbols, so it must never outlive the compilation.
/// </summary>
internal sealed class TypeNames
{
    private static readonly SymbolDisplayFormat s_identityFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    private static readonly SymbolDisplayFormat s_declaredFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly Dictionary<ITypeSymbol, string> _identity = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ITypeSymbol, string> _declared = new(SymbolEqualityComparer.IncludeNullability);

    // "global::A.B." per namespace, or null when a name needs escaping.
    private readonly Dictionary<INamespaceSymbol, string?> _namespaces = new(SymbolEqualityComparer.Default);
    private readonly StringBuilder _builder = new();

    /// <summary>The fully qualified name, no nullable reference annotations.</summary>
    public string Identity(ITypeSymbol type) => Get(type, annotate: false);

    /// <summary>The fully qualified name with its nullable reference annotations.</summary>
    public string Declared(ITypeSymbol type) => Get(type, annotate: true);

    /// <summary>A namespace as its default ToDisplayString writes it (<c>A.B</c>); empty for the global one.</summary>
    public string Namespace(INamespaceSymbol ns)
    {
        if (ns.IsGlobalNamespace)
        {
            return string.Empty;
        }
        var prefix = NamespacePrefix(ns);
        // "global::" + name + "."
        return prefix is null ? ns.ToDisplayString() : prefix.Substring(8, prefix.Length - 9);
    }

    private string Get(ITypeSymbol type, bool annotate)
    {
        var cache = annotate ? _declared : _identity;
        if (!cache.TryGetValue(type, out var name))
        {
            _builder.Clear();
            name = TryAppend(type, annotate) ? _builder.ToString() : type.ToDisplayString(annotate ? s_declaredFormat : s_identityFormat);
            cache.Add(type, name);
        }
        return name;
    }

    /// <summary>Appends the name of a type of a shape handled here; false (builder in any state) for others.</summary>
    private bool TryAppend(ITypeSymbol type, bool annotate)
    {
        var annotated = annotate && type.NullableAnnotation == NullableAnnotation.Annotated;
        if (annotated && !type.IsReferenceType)
        {
            // An annotated type parameter or the like.
            return false;
        }
        if (type is IArrayTypeSymbol array)
        {
            // Jagged and multi-dimensional arrays are written in an order of their own.
            if (!array.IsSZArray || array.ElementType is IArrayTypeSymbol || !TryAppend(array.ElementType, annotate))
            {
                return false;
            }
            _builder.Append(annotated ? "[]?" : "[]");
            return true;
        }
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct or TypeKind.Interface or TypeKind.Enum or TypeKind.Delegate } named ||
            named.IsTupleType || named.IsUnboundGenericType || named.IsAnonymousType || named.IsNativeIntegerType)
        {
            return false;
        }
        if (Keyword(named.SpecialType) is { } keyword)
        {
            _builder.Append(keyword);
        }
        else if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            // Written T?, as FullyQualifiedFormat does not expand nullable value types.
            if (!TryAppend(named.TypeArguments[0], annotate))
            {
                return false;
            }
            _builder.Append('?');
            return true;
        }
        else
        {
            if (named.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr || NeedsEscaping(named.Name))
            {
                return false;
            }
            if (!AppendContainers(named))
            {
                return false;
            }
            _builder.Append(named.Name);
            if (named.IsGenericType)
            {
                _builder.Append('<');
                var arguments = named.TypeArguments;
                for (var i = 0; i < arguments.Length; i++)
                {
                    if (i > 0)
                    {
                        _builder.Append(", ");
                    }
                    if (!TryAppendOrDisplay(arguments[i], annotate))
                    {
                        return false;
                    }
                }
                _builder.Append('>');
            }
        }
        if (annotated)
        {
            _builder.Append('?');
        }
        return true;
    }

    private bool TryAppendOrDisplay(ITypeSymbol type, bool annotate)
    {
        var length = _builder.Length;
        if (TryAppend(type, annotate))
        {
            return true;
        }
        // A type argument of another shape: displayed on its own, as SymbolDisplay composes it.
        _builder.Length = length;
        _builder.Append(type.ToDisplayString(annotate ? s_declaredFormat : s_identityFormat));
        return true;
    }

    /// <summary>Appends <c>global::Namespace.Outer.</c>; false when a containing type is generic or a name needs escaping.</summary>
    private bool AppendContainers(INamedTypeSymbol type)
    {
        var outer = type.ContainingType;
        if (outer is null)
        {
            var prefix = type.ContainingNamespace is { } ns ? NamespacePrefix(ns) : null;
            if (prefix is null)
            {
                return false;
            }
            _builder.Append(prefix);
            return true;
        }
        if (outer.IsGenericType || NeedsEscaping(outer.Name) || !AppendContainers(outer))
        {
            return false;
        }
        _builder.Append(outer.Name).Append('.');
        return true;
    }

    private string? NamespacePrefix(INamespaceSymbol ns)
    {
        if (_namespaces.TryGetValue(ns, out var prefix))
        {
            return prefix;
        }
        if (ns.IsGlobalNamespace)
        {
            prefix = "global::";
        }
        else
        {
            var outer = ns.ContainingNamespace is { } containing ? NamespacePrefix(containing) : null;
            prefix = outer is null || NeedsEscaping(ns.Name) ? null : outer + ns.Name + ".";
        }
        _namespaces.Add(ns, prefix);
        return prefix;
    }

    // Keywords are escaped with @, and some contextual ones in some places: all left to SymbolDisplay.
    private static bool NeedsEscaping(string name) =>
        name.Length == 0 || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None;

    private static string? Keyword(SpecialType type) => type switch
    {
        SpecialType.System_Object => "object",
        SpecialType.System_Void => "void",
        SpecialType.System_Boolean => "bool",
        SpecialType.System_Char => "char",
        SpecialType.System_SByte => "sbyte",
        SpecialType.System_Byte => "byte",
        SpecialType.System_Int16 => "short",
        SpecialType.System_UInt16 => "ushort",
        SpecialType.System_Int32 => "int",
        SpecialType.System_UInt32 => "uint",
        SpecialType.System_Int64 => "long",
        SpecialType.System_UInt64 => "ulong",
        SpecialType.System_Decimal => "decimal",
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        SpecialType.System_String => "string",
        _ => null,
    };
}
