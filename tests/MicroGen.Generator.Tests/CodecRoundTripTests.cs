using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using MicroGen.Codec;
using MicroGen.Generator.Tests.Contracts;
using MicroGen.Generator.Tests.Infrastructure;
using MicroGen.Generator.Tests.Proto;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// The codec routines generated for this project's own contracts (see <c>Contracts/</c>), run
/// through <see cref="MessagePackCodec"/> and <see cref="JsonCodec"/>: every value must come back
/// equal, and malformed bytes must fail as a 400 <see cref="MicroException"/>.
/// </summary>
[TestFixtureSource(typeof(Codecs), nameof(Codecs.All))]
public sealed class CodecRoundTripTests(ICodec codec)
{
    private const int Iterations = 300;

    private static void AssertRoundTrips<T>(ICodec codec, T value)
    {
        var back = Codecs.RoundTrip(codec, value);
        var differences = Structural.Differences(value, back, d => Codecs.Carried(codec, d));
        Assert.That(differences, Is.Empty, () => string.Join("\n", differences) + "\nencoded: " + Describe(Codecs.Encode(codec, value)));
    }

    private static string Describe(byte[] bytes) =>
        bytes.Length > 400 ? $"{bytes.Length} bytes" : (bytes.All(static b => b is >= 0x20 and < 0x7f) ? Encoding.UTF8.GetString(bytes) : Convert.ToHexString(bytes));

    [Test]
    public void CanCarry_GeneratedTypes_AreRegistered()
    {
        Assert.That(codec.CanCarry<Everything>(), Is.True);
        Assert.That(codec.CanCarry<Profile>(), Is.True);
        Assert.That(codec.CanCarry<Page<Item>>(), Is.True);
        Assert.That(codec.CanCarry<List<TreeNode>>(), Is.True);
        Assert.That(codec.CanCarry<Dictionary<Color, List<int>>>(), Is.True);
        Assert.That(codec.CanCarry<IReadOnlyDictionary<Guid, Item>>(), Is.True);
        Assert.That(codec.CanCarry<Color?>(), Is.True);
        Assert.That(codec.CanCarry<UserCreated>(), Is.True, "[MicroEvent] types get routines too");
        Assert.That(codec.CanCarry<RoundTripDescriptor.AddArguments>(), Is.True);
        Assert.That(codec.CanCarry<PingMessage>(), Is.True);
        Assert.That(codec.CanCarry<System.IO.Stream>(), Is.False);
    }

    [Test]
    public void Primitives_RandomValuesWithExtremes_RoundTrip() =>
        Gens.Primitives.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);

    [Test]
    public void Everything_RandomGraphs_RoundTrip() =>
        Gens.Everything.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);

    [Test]
    public void Tree_RandomRecursiveStructures_RoundTrip() =>
        Gens.Tree.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);

    [Test]
    public void Profile_InitOnlyRecord_RandomValues_RoundTrip() =>
        Gens.Profile.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);

    [Test]
    public void Profile_OnlyRequiredMemberSet_RoundTripsWithDefaults()
    {
        var back = Codecs.RoundTrip(codec, new Profile { Name = "only" });

        Assert.That(back, Is.EqualTo(new Profile { Name = "only" }));
        Assert.That(back.Tags, Is.Null);
        Assert.That(back.Home, Is.Null);
    }

    [Test]
    public void DateTime_EveryKind_ArrivesAsDocumented() =>
        Gens.DateTime.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);

    /// <summary>
    /// The documented carriage of each Kind, in a zone away from UTC (on a UTC machine a Local
    /// value converted to UTC keeps its clock time, which would hide the conversion).
    /// </summary>
    [Test]
    [NonParallelizable] // changes the process's local time zone
    [Platform(Include = "Linux", Reason = "the TZ variable selects the local zone on Linux")]
    public void DateTime_KindsInZoneAheadOfUtc_MessagePackCarriesUtcJsonKeepsKind()
    {
        var previous = Environment.GetEnvironmentVariable("TZ");
        try
        {
            Environment.SetEnvironmentVariable("TZ", "Asia/Kolkata");
            TimeZoneInfo.ClearCachedData();
            Assert.That(TimeZoneInfo.Local.BaseUtcOffset, Is.EqualTo(TimeSpan.FromHours(5.5)), "tzdata must know Asia/Kolkata");
            var local = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Local).AddTicks(1234);
            var unspecified = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified).AddTicks(1234);
            var utc = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234);

            var (localBack, unspecifiedBack, utcBack) = (Codecs.RoundTrip(codec, local), Codecs.RoundTrip(codec, unspecified), Codecs.RoundTrip(codec, utc));

            if (codec is MessagePackCodec)
            {
                Assert.That((localBack, localBack.Kind), Is.EqualTo((new DateTime(2024, 1, 1, 21, 34, 5, DateTimeKind.Utc).AddTicks(1234), DateTimeKind.Utc)), "Local is converted to UTC");
                Assert.That((unspecifiedBack, unspecifiedBack.Kind), Is.EqualTo((unspecified, DateTimeKind.Utc)), "Unspecified is taken as UTC");
            }
            else
            {
                Assert.That((localBack, localBack.Kind), Is.EqualTo((local, DateTimeKind.Local)), "Local stays local");
                Assert.That((unspecifiedBack, unspecifiedBack.Kind), Is.EqualTo((unspecified, DateTimeKind.Unspecified)));
            }
            Assert.That((utcBack, utcBack.Kind), Is.EqualTo((utc, DateTimeKind.Utc)), "Utc is exact in every codec");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", previous);
            TimeZoneInfo.ClearCachedData();
        }
    }

    [Test]
    public void Enums_UndefinedValues_RoundTrip()
    {
        Gens.Color.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);
        Gens.Small.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);
        Gens.Access.Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);
        AssertRoundTrips(codec, (Color)12345);
        AssertRoundTrips(codec, (Color?)null);
        AssertRoundTrips(codec, (Color?)Color.Blue);
    }

    [Test]
    public void ArgumentStruct_RandomArguments_RoundTrip()
    {
        Gen.Select(Gens.Int, Gens.Int).Sample((a, b) => AssertRoundTrips(codec, new RoundTripDescriptor.AddArguments(a, b)), iter: Iterations, threads: 1);
        Gen.Select(Gens.Text, Gens.Int, Gens.Color.Nullable()).Sample((q, l, c) => AssertRoundTrips(codec, new RoundTripDescriptor.SearchArguments(q, l, c)), iter: Iterations, threads: 1);
        AssertRoundTrips(codec, new RoundTripDescriptor.KeywordsArguments(1, "event"));
    }

    [Test]
    public void Event_Record_RoundTrips() =>
        Gen.Select(Gens.Long, Gens.Text, Gens.DateTimeOffset, static (id, email, at) => new UserCreated(id, email, at))
            .Sample(value => AssertRoundTrips(codec, value), iter: Iterations, threads: 1);

    [Test]
    public void Collections_LargeAndEmpty_RoundTrip()
    {
        var numbers = Enumerable.Range(0, 10_000).Select(static i => i * 7919 - 5000).ToArray();
        var words = Enumerable.Range(0, 10_000).Select(static i => i % 10 == 0 ? null : "w" + i + "😀").ToList();
        var counts = Enumerable.Range(0, 10_000).ToDictionary(static i => "k" + i, static i => i);

        AssertRoundTrips(codec, new Everything { Title = "large", Numbers = numbers, Words = words, Counts = counts });
        AssertRoundTrips(codec, new Everything { Title = "", Numbers = [], Words = [], Counts = [], Points = [], ByColor = [], Catalog = new Dictionary<Guid, Item>() });
        AssertRoundTrips(codec, new Everything { Title = "nulls" });
        AssertRoundTrips(codec, numbers);
        AssertRoundTrips(codec, new Page<Item> { Items = Enumerable.Range(0, 10_000).Select(static i => new Item(Guid.NewGuid(), "i" + i, i)).ToList(), Total = 10_000 });
    }

    [Test]
    public void Null_ReferenceTypes_RoundTripAsNull()
    {
        AssertRoundTrips<Everything?>(codec, null);
        AssertRoundTrips<TreeNode?>(codec, null);
        AssertRoundTrips<Page<Item>?>(codec, null);
        AssertRoundTrips<List<TreeNode>?>(codec, null);
        AssertRoundTrips<PingMessage?>(codec, null);
    }

    [Test]
    public void DateTimeOffset_NonZeroOffset_KeepsOffset()
    {
        var value = new UserCreated(1, "a@b.c", new DateTimeOffset(2024, 2, 29, 23, 59, 59, 999, TimeSpan.FromHours(-9.5)).AddTicks(1234));

        var back = Codecs.RoundTrip(codec, value);

        Assert.That(back.At.Offset, Is.EqualTo(TimeSpan.FromHours(-9.5)));
        Assert.That(back.At.EqualsExact(value.At), Is.True);
    }

    [Test]
    public void DeepTree_WithinLimits_RoundTrips()
    {
        // JSON readers allow 64 levels; each tree level is one object.
        var root = new TreeNode { Label = "0" };
        var node = root;
        for (var i = 1; i < 40; i++)
        {
            node.Left = new TreeNode { Label = i.ToString() };
            node = node.Left;
        }

        AssertRoundTrips(codec, root);
    }

    [Test]
    public void Decode_NestingBeyondDepthLimit_Throws400()
    {
        const int depth = 2_000;
        byte[] bytes;
        if (codec is JsonCodec)
        {
            bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"left\":", depth)) + "null" + new string('}', depth));
        }
        else
        {
            // {"Left": {"Left": ... nil}}
            byte[] level = [0x81, 0xA4, (byte)'L', (byte)'e', (byte)'f', (byte)'t'];
            bytes = [.. Enumerable.Repeat(level, depth).SelectMany(static l => l), 0xC0];
        }

        var error = Assert.Throws<MicroException>(() => Codecs.Decode<TreeNode>(codec, bytes));

        Assert.That(error!.Code, Is.EqualTo(MicroStatusCode.BadRequest));
    }

    [Test]
    public void Decode_TruncatedEncoding_Throws400()
    {
        Gens.Everything.Sample(value =>
        {
            var bytes = Codecs.Encode(codec, value);
            // Every strict prefix of an object's encoding is incomplete.
            foreach (var length in new[] { 0, 1, bytes.Length / 2, bytes.Length - 1 }.Distinct().Where(l => l < bytes.Length))
            {
                var error = Assert.Throws<MicroException>(() => Codecs.Decode<Everything>(codec, bytes[..length]), $"prefix of {length} bytes");
                Assert.That(error!.Code, Is.EqualTo(MicroStatusCode.BadRequest));
            }
        }, iter: 100, threads: 1);
    }

    [Test]
    public void Decode_RandomBytes_ReturnsOrThrows400Only()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            AssertDecodesOr400<Everything>(bytes);
            AssertDecodesOr400<Primitives>(bytes);
            AssertDecodesOr400<TreeNode>(bytes);
            AssertDecodesOr400<Page<Item>>(bytes);
            AssertDecodesOr400<RoundTripDescriptor.SearchArguments>(bytes);
            AssertDecodesOr400<Color>(bytes);
            AssertDecodesOr400<Dictionary<Color, List<int>>>(bytes);
        }, iter: 2_000, threads: 1);
    }

    [Test]
    public void Decode_MutatedEncoding_ReturnsOrThrows400Only()
    {
        Gen.Select(Gens.Everything, Gen.Int[0, int.MaxValue], Gen.Byte).Sample((value, position, replacement) =>
        {
            var bytes = Codecs.Encode(codec, value);
            if (bytes.Length > 0)
            {
                bytes[position % bytes.Length] = replacement;
            }
            AssertDecodesOr400<Everything>(bytes);
        }, iter: 1_000, threads: 1);
    }

    private void AssertDecodesOr400<T>(byte[] bytes)
    {
        try
        {
            _ = Codecs.Decode<T>(codec, bytes);
        }
        catch (MicroException e)
        {
            Assert.That(e.Code, Is.EqualTo(MicroStatusCode.BadRequest), e.Message);
        }
        catch (Exception e)
        {
            Assert.Fail($"decoding {typeof(T).Name} from {Convert.ToHexString(bytes)} threw {e.GetType().Name}: {e.Message}");
        }
    }
}

/// <summary>The wire shapes each codec's generated routines produce and accept.</summary>
public sealed class CodecFormatTests
{
    [TestCase("{\"title\": 5}")]
    [TestCase("{\"title\": \"x\", \"color\": \"Purple\"}")]
    [TestCase("{\"title\": \"x\", \"counts\": {\"a\": \"b\"}}")]
    [TestCase("{\"title\": \"x\", \"byColor\": {\"NotAColor\": []}}")]
    [TestCase("{\"title\": \"x\", \"maybePoint\": 3}")]
    [TestCase("[1, 2]")]
    [TestCase("{\"title\": \"x\"} {}")]
    [TestCase("{\"title\": \"x\", \"primitives\": {\"letter\": \"ab\"}}")]
    [TestCase("{\"title\": \"x\", \"primitives\": {\"id\": \"not-a-guid\"}}")]
    [TestCase("{\"title\": \"x\", \"primitives\": {\"u8\": 256}}")]
    public void Decode_WrongJsonShapes_Throws400(string json)
    {
        var error = Assert.Throws<MicroException>(() => Codecs.Decode<Everything>(JsonCodec.Instance, Encoding.UTF8.GetBytes(json)));

        Assert.That(error!.Code, Is.EqualTo(MicroStatusCode.BadRequest));
    }

    [Test]
    public void Json_PropertyNames_AreCamelCaseAndReadCaseInsensitively()
    {
        var text = Encoding.UTF8.GetString(Codecs.Encode(JsonCodec.Instance, new Everything { Title = "t", MaybeNumber = 3, Color = Color.Blue }));
        Assert.That(text, Does.Contain("\"title\":\"t\"").And.Contain("\"maybeNumber\":3").And.Contain("\"color\":\"Blue\""));

        var back = Codecs.Decode<Everything>(JsonCodec.Instance, Encoding.UTF8.GetBytes("{\"TITLE\":\"x\",\"unknown\":{\"a\":[1,2,{}]},\"COLOR\":\"green\",\"small\":255}"));
        Assert.That(back.Title, Is.EqualTo("x"));
        Assert.That(back.Color, Is.EqualTo(Color.Green));
        Assert.That(back.Small, Is.EqualTo(Small.Max));

        var args = Codecs.Decode<RoundTripDescriptor.AddArguments>(JsonCodec.Instance, Encoding.UTF8.GetBytes("{\"a\":1,\"b\":2}"));
        Assert.That((args.a, args.b), Is.EqualTo((1, 2)));
        var keywords = Encoding.UTF8.GetString(Codecs.Encode(JsonCodec.Instance, new RoundTripDescriptor.KeywordsArguments(7, "e")));
        Assert.That(keywords, Is.EqualTo("{\"class\":7,\"event\":\"e\"}"));
    }

    [Test]
    public void MessagePack_Objects_AreMapsKeyedByMemberNameAndArgumentsAreArrays()
    {
        var reply = Codecs.Encode(MessagePackCodec.Instance, new HelloReply("hi"));
        Assert.That(Convert.ToHexString(reply), Is.EqualTo("81A74D657373616765A26869"), "map {\"Message\": \"hi\"}");

        var args = Codecs.Encode(MessagePackCodec.Instance, new RoundTripDescriptor.AddArguments(1, 2));
        Assert.That(Convert.ToHexString(args), Is.EqualTo("920102"), "array [1, 2]");

        // Unknown keys are skipped and missing ones left at default.
        var extra = Convert.FromHexString("82A3466F6F01A74D657373616765A26869");
        Assert.That(Codecs.Decode<HelloReply>(MessagePackCodec.Instance, extra), Is.EqualTo(new HelloReply("hi")));
        Assert.That(Codecs.Decode<HelloReply>(MessagePackCodec.Instance, [0x80]), Is.EqualTo(new HelloReply(null!)));
    }
}
