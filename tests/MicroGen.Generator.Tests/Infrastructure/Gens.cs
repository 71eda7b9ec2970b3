using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using MicroGen.Generator.Tests.Contracts;
using MicroGen.Generator.Tests.Proto;

namespace MicroGen.Generator.Tests.Infrastructure;

/// <summary>CsCheck generators for the round-trip contract types, biased towards edge values.</summary>
internal static class Gens
{
    /// <summary>Mixes <paramref name="gen"/> with the given edge values.</summary>
    public static Gen<T> WithEdges<T>(this Gen<T> gen, params T[] edges) =>
        Gen.Frequency((3, gen), (1, Gen.OneOf(edges.Select(Gen.Const).ToArray())));

    public static readonly Gen<int> Int = Gen.Int.WithEdges(int.MinValue, int.MaxValue, 0, -1);
    public static readonly Gen<long> Long = Gen.Long.WithEdges(long.MinValue, long.MaxValue, 0);
    public static readonly Gen<double> Double = Gen.Double.WithEdges(
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 0.0, -0.0);
    public static readonly Gen<float> Float = Gen.Float.WithEdges(float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, float.MinValue);
    public static readonly Gen<decimal> Decimal = Gen.Decimal.WithEdges(decimal.MaxValue, decimal.MinValue, 0m, 1.50m, -0.0000000000000000000000000001m);

    /// <summary>Characters a JSON writer accepts: any UTF-16 code unit but a lone surrogate.</summary>
    public static readonly Gen<char> Char = Gen.Char.Where(static c => !char.IsSurrogate(c)).WithEdges('\0', '"', '\\', '\u00e9', '\uffff');

    /// <summary>Unicode text: ASCII, control characters, accents, CJK and surrogate pairs (emoji).</summary>
    public static readonly Gen<string> Text = Gen.OneOf(
            Gen.Const("a"), Gen.Const("\""), Gen.Const("\\"), Gen.Const("\n\t\0"), Gen.Const("é"), Gen.Const("漢字"),
            Gen.Const("😀"), Gen.Const("𝄞"), Gen.Const("ab c"), Gen.Int[0, 0xD7FF].Select(static i => ((char)i).ToString()))
        .Array[0, 12]
        .Select(static parts => string.Concat(parts));

    public static readonly Gen<string?> NullableText = Text.Null(0.2);

    /// <summary>
    /// Every <see cref="DateTimeKind"/>. Local values stay a day inside the calendar: near its ends
    /// a local time has no UTC equivalent, which the JSON reader refuses (see
    /// <see cref="Codecs.Carried(MicroGen.Codec.ICodec, System.DateTime)"/>).
    /// </summary>
    public static readonly Gen<DateTime> DateTime = Gen.Enum<DateTimeKind>()
        .SelectMany(static kind => (kind == DateTimeKind.Local
                ? Gen.Long[System.DateTime.MinValue.Ticks + System.TimeSpan.TicksPerDay, System.DateTime.MaxValue.Ticks - System.TimeSpan.TicksPerDay]
                : Gen.Long[System.DateTime.MinValue.Ticks, System.DateTime.MaxValue.Ticks])
            .Select(ticks => new DateTime(ticks, kind)))
        .WithEdges(
            System.DateTime.MinValue, System.DateTime.MaxValue, System.DateTime.UnixEpoch,
            System.DateTime.SpecifyKind(System.DateTime.MinValue, DateTimeKind.Utc), System.DateTime.SpecifyKind(System.DateTime.MaxValue, DateTimeKind.Utc),
            new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Local));

    /// <summary>Offsets from -14:00 to +14:00 in whole minutes (what DateTimeOffset allows), away from the edges of the calendar.</summary>
    public static readonly Gen<DateTimeOffset> DateTimeOffset = Gen.Select(
        Gen.Long[new DateTime(2, 1, 1).Ticks, new DateTime(9998, 1, 1).Ticks],
        Gen.Int[-14 * 60, 14 * 60],
        static (ticks, minutes) => new DateTimeOffset(ticks, System.TimeSpan.FromMinutes(minutes)));

    public static readonly Gen<TimeSpan> TimeSpan = Gen.Long.Select(static t => new TimeSpan(t)).WithEdges(System.TimeSpan.MinValue, System.TimeSpan.MaxValue, System.TimeSpan.Zero);

    public static readonly Gen<Primitives> Primitives =
        Gen.Select(Gen.Bool, Gen.Byte, Gen.SByte, Gen.Short, Gen.UShort, Int, Gen.UInt, Long)
        .SelectMany(static a => Gen.Select(Gen.ULong.WithEdges(ulong.MaxValue), Float, Double, Decimal, Char, NullableText, Gen.Guid, DateTime)
        .SelectMany(b => Gen.Select(DateTimeOffset, TimeSpan, Gen.Byte.Array[0, 64].Null(0.2))
        .Select(c => new Primitives(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, a.Item8, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6, b.Item7, b.Item8, c.Item1, c.Item2, c.Item3))));

    public static readonly Gen<Color> Color = Gen.OneOf(Gen.Enum<Color>(), Gen.Int.Select(static i => (Color)i));
    public static readonly Gen<Small> Small = Gen.Byte.Select(static b => (Small)b);
    public static readonly Gen<Access> Access = Gen.Long.Select(static l => (Access)l).WithEdges(Contracts.Access.All, Contracts.Access.Huge, Contracts.Access.Read | Contracts.Access.Huge);
    public static readonly Gen<Point> Point = Gen.Select(Int, Int, static (x, y) => new Point(x, y));
    public static readonly Gen<Item> Item = Gen.Select(Gen.Guid, Text, Decimal, static (id, name, price) => new Item(id, name, price));

    private static readonly TreeNode? s_noNode = null;

    public static readonly Gen<TreeNode?> Tree = Gen.Recursive<TreeNode?>((depth, tree) =>
        depth >= 5
            ? Gen.Const(s_noNode)
            : Gen.Frequency(
                (1, Gen.Const(s_noNode)),
                (4, Gen.Select(Text, tree, tree, tree.Array[0, 3].Null(0.5), static (label, left, right, children) => (TreeNode?)new TreeNode
                {
                    Label = label,
                    Left = left,
                    Right = right,
                    Children = children?.Where(static c => c is not null).Select(static c => c!).ToList(),
                }))));

    public static readonly Gen<Profile> Profile = Gen.Select(Text, Int, NullableText, DateTime, Text.Array[0, 5].Null(0.3), Point.Nullable(),
        static (name, age, nickname, born, tags, home) => new Profile { Name = name, Age = age, Nickname = nickname, Born = born, Tags = tags, Home = home });

    public static readonly Gen<PingMessage> Proto = Gen.Select(Text, Long, Text.Array[0, 4], static (text, number, tags) =>
    {
        var message = new PingMessage { Text = text, Number = number };
        message.Tags.AddRange(tags);
        return message;
    });

    public static readonly Gen<Everything> Everything =
        Gen.Select(Text, Int.Nullable(), Point.Nullable(), Color, Small, Access, Color.Nullable(), Int.Array[0, 20].Null(0.2))
        .SelectMany(static a => Gen.Select(
            NullableText.List[0, 10].Null(0.2),
            Point.Array[0, 5].Select(static p => (IReadOnlyList<Point>)p).Null(0.2),
            Text.Dictionary(Int)[0, 6].Null(0.2),
            Color.Dictionary(Int.List[0, 4])[0, 4].Null(0.2),
            Gen.Guid.Dictionary(Item)[0, 4].Select(static d => (IReadOnlyDictionary<Guid, Item>)d).Null(0.2),
            Item.Array[0, 5].Select(static items => new Page<Item> { Items = items, Total = items.Length, Cursor = items.Length == 0 ? null : "next" }).Null(0.2),
            Gen.Select(Double, Double, static (x, y) => new MutablePoint { X = x, Y = y }),
            Proto.Null(0.3))
        .SelectMany(b => Gen.Select(Primitives.Null(0.3), Profile.Null(0.3)).Select(c => new Everything
        {
            Title = a.Item1,
            MaybeNumber = a.Item2,
            MaybePoint = a.Item3,
            Color = a.Item4,
            Small = a.Item5,
            Access = a.Item6,
            MaybeColor = a.Item7,
            Numbers = a.Item8,
            Words = b.Item1,
            Points = b.Item2,
            Counts = b.Item3,
            ByColor = b.Item4,
            Catalog = b.Item5,
            Page = b.Item6,
            Mutable = b.Item7,
            Proto = b.Item8,
            Primitives = c.Item1,
            Owner = c.Item2,
        })));
}
