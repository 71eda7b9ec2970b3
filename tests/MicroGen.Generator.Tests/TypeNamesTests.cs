using System.Collections.Generic;
using System.Linq;
using MicroGen.Generator.Helpers;
using MicroGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The parser's hand-built type names must be exactly what ToDisplayString writes: generated code
/// and model equality depend on them.
/// </summary>
public sealed class TypeNamesTests
{
    private const string Source = """
        #nullable enable
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed record GlobalRecord(int X);

        namespace Demo.Inner
        {
            public enum Color : byte { Red }
            public struct Point { public int X; }
            public class Outer { public class Nested { public record Deeper(string? Name); } }
            public class Generic<T> { public class InGeneric { } }
            public delegate void Handler(int value);
            public class @class { }
            public class record { }

            public interface IShapes
            {
                Task<List<string?>?> A(string? s, string t, int? i, Color? c, Guid g, DateTimeOffset? d, CancellationToken ct);
                ValueTask<Dictionary<string, List<Point?>>> B(int[] a, string?[]? b, int[][] jagged, int[,] square, byte[]? bytes);
                Task<(int Left, string? Right)> C((int, long) pair, Outer.Nested nested, Outer.Nested.Deeper? deeper);
                Task<Generic<int>.InGeneric> D(Generic<string?> g, Generic<Generic<Color>> gg, IReadOnlyDictionary<Color, decimal?> map);
                Task E(object o, object? o2, dynamic dyn, nint n, nuint un, IntPtr p, UIntPtr up, Handler h, Handler? h2);
                Task F(@class c, record r, GlobalRecord gr, IAsyncEnumerable<GlobalRecord?> items, Action<int>? a, Func<string?, Task<int>> f);
                Task G(float f, double d, decimal m, char ch, bool b, sbyte sb, byte by, short sh, ushort us, uint ui, long l, ulong ul, TimeSpan ts, DateTime dt);
                Task H<T>(T t, List<T> lt, T[] at) where T : class;
                Task I(List<int>.Enumerator e, KeyValuePair<string, int?> kv, Nullable<KeyValuePair<int, int>> nkv, Tuple<int, string?> tuple);
            }
        }
        """;

    [Test]
    public void Names_match_ToDisplayString_for_every_shape()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var shapes = compilation.GetTypeByMetadataName("Demo.Inner.IShapes")!;
        var types = new List<ITypeSymbol>();
        foreach (var method in shapes.GetMembers().OfType<IMethodSymbol>())
        {
            types.Add(method.ReturnType);
            types.AddRange(method.Parameters.Select(p => p.Type));
        }
        // Each type's parts too: type arguments and containing types are displayed on their own.
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i] is INamedTypeSymbol named)
            {
                types.AddRange(named.TypeArguments);
                if (named.ContainingType is { } outer)
                {
                    types.Add(outer);
                }
                types.Add(named.OriginalDefinition);
            }
            else if (types[i] is IArrayTypeSymbol array)
            {
                types.Add(array.ElementType);
            }
            if (types.Count > 1000)
            {
                break;
            }
        }

        var identity = SymbolDisplayFormat.FullyQualifiedFormat;
        var declared = identity.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);
        var names = new TypeNames();
        Assert.Multiple(() =>
        {
            foreach (var type in types)
            {
                Assert.That(names.Identity(type), Is.EqualTo(type.ToDisplayString(identity)), type.ToDisplayString(declared));
                Assert.That(names.Declared(type), Is.EqualTo(type.ToDisplayString(declared)), type.ToDisplayString(declared));
                // Asked again: from the cache, keyed with nullability for declared names.
                Assert.That(names.Declared(type), Is.EqualTo(type.ToDisplayString(declared)), type.ToDisplayString(declared));
            }
            foreach (var ns in new[] { shapes.ContainingNamespace, shapes.ContainingNamespace.ContainingNamespace, compilation.GlobalNamespace })
            {
                Assert.That(names.Namespace(ns), Is.EqualTo(ns.IsGlobalNamespace ? string.Empty : ns.ToDisplayString()));
            }
        });
        Assert.That(types, Has.Count.GreaterThan(60));
    }
}
