using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using MicroGen.Codec;
using MicroGen.Tests.EndToEnd;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// MessagePack routines: the formatters that need no MessagePackSerializerOptions, so a call whose
/// types all have one never builds the options (and never loads OpenSSL for their hash key).
/// </summary>
[TestFixture]
public sealed class MessagePackRoutineTests
{
    [Test]
    public void Formatters_OfPrimitivesOnlyTypes_AreRoutines_OthersAreNot()
    {
        Assert.Multiple(() =>
        {
            // Generated: an argument struct of ints, an enum; built in: Empty and whole primitive bodies.
            Assert.That(MicroGenResolver.Instance.GetFormatter<ShapesDescriptor.AddArguments>(), Is.InstanceOf<MessagePackRoutine<ShapesDescriptor.AddArguments>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<Priority>(), Is.InstanceOf<MessagePackRoutine<Priority>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<Empty>(), Is.InstanceOf<MessagePackRoutine<Empty>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<string>(), Is.InstanceOf<MessagePackRoutine<string>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<long>(), Is.InstanceOf<MessagePackRoutine<long>>());

            // A decimal member, a list member: MessagePack's own formatters, which take the options.
            Assert.That(MicroGenResolver.Instance.GetFormatter<Item>(), Is.Not.InstanceOf<MessagePackRoutine<Item>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<Order>(), Is.Not.InstanceOf<MessagePackRoutine<Order>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<decimal>(), Is.Not.InstanceOf<MessagePackRoutine<decimal>>());
        });
    }

    [Test]
    public void NeedsOptions_OnlyWhereAFormatterTakesThem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MessagePackCodec.NeedsOptions(MicroGenResolver.Instance.GetFormatter<ShapesDescriptor.AddArguments>()), Is.False);
            Assert.That(MessagePackCodec.NeedsOptions(MicroGenResolver.Instance.GetFormatter<int>()), Is.False);
            Assert.That(MessagePackCodec.NeedsOptions(MicroGenResolver.Instance.GetFormatter<Empty>()), Is.False);
            Assert.That(MessagePackCodec.NeedsOptions(MicroGenResolver.Instance.GetFormatter<Order>()), Is.True);
            Assert.That(MessagePackCodec.NeedsOptions(MicroGenResolver.Instance.GetFormatter<Item>()), Is.True);
            // No formatter at all: nothing to prepare (the call fails on its own, 415).
            Assert.That(MessagePackCodec.NeedsOptions(MicroGenResolver.Instance.GetFormatter<NotAContractType>()), Is.False);
        });
    }

    [Test]
    public void WholePrimitiveBodies_SameBytesAsMessagePacksOwnFormatters_AndRoundTrip()
    {
        AssertSameAsBuiltin("text");
        AssertSameAsBuiltin("");
        AssertSameAsBuiltin<string?>(null);
        AssertSameAsBuiltin("ünïcødé ✓ " + new string('x', 300));
        AssertSameAsBuiltin(true);
        AssertSameAsBuiltin(false);
        foreach (var value in new[] { 0, 1, -1, 127, 128, -32, -33, 255, 256, 65_535, 65_536, int.MinValue, int.MaxValue })
        {
            AssertSameAsBuiltin(value);
        }
        foreach (var value in new[] { 0L, -1L, long.MinValue, long.MaxValue, uint.MaxValue + 1L })
        {
            AssertSameAsBuiltin(value);
        }
        AssertSameAsBuiltin(uint.MaxValue);
        AssertSameAsBuiltin(ulong.MaxValue);
        AssertSameAsBuiltin(short.MinValue);
        AssertSameAsBuiltin(ushort.MaxValue);
        AssertSameAsBuiltin(byte.MaxValue);
        AssertSameAsBuiltin(sbyte.MinValue);
        AssertSameAsBuiltin('λ');
        AssertSameAsBuiltin(double.NaN);
        AssertSameAsBuiltin(-0.0);
        AssertSameAsBuiltin(Math.PI);
        AssertSameAsBuiltin(float.NegativeInfinity);
        AssertSameAsBuiltin(1.5f);
    }

    [Test]
    public void Leaves_SameBytesAsMessagePacksOwnFormatters_AndRoundTrip()
    {
        foreach (var value in new[] { Guid.Empty, Guid.NewGuid(), Guid.Parse("ABCDEF01-2345-6789-abcd-ef0123456789") })
        {
            AssertSameAsBuiltin(value);
        }
        foreach (var value in new[] { DateTime.UnixEpoch, new DateTime(2026, 12, 7, 14, 30, 15, DateTimeKind.Utc).AddTicks(1234567), DateTime.MinValue, DateTime.MaxValue, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Unspecified) })
        {
            AssertSameAsBuiltin(value);
        }
        // A local time becomes UTC on the wire, with either formatter.
        AssertSameBytesAsBuiltin(new DateTime(2026, 12, 7, 14, 30, 15, DateTimeKind.Local));
        foreach (var value in new[] { DateTimeOffset.UnixEpoch, new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.FromHours(5.5)), new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.FromHours(-8)), DateTimeOffset.MaxValue })
        {
            AssertSameAsBuiltin(value);
        }
        foreach (var value in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(-1.5), TimeSpan.MaxValue, TimeSpan.MinValue })
        {
            AssertSameAsBuiltin(value);
        }
        AssertSameAsBuiltin<byte[]?>(null);
        AssertSameAsBuiltin(Array.Empty<byte>());
        AssertSameAsBuiltin(Enumerable.Range(0, 300).Select(static i => (byte)i).ToArray());
    }

    [TestCase("")]
    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("0123456789abcdef-0123-4567-89abcdef0")]
    [TestCase("zzzzzzzz-0123-4567-89ab-cdef01234567")]
    public void Guid_NotInIts36CharacterForm_Is400(string text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(text);
        writer.Flush();
        var e = Assert.Throws<MicroException>(() => MessagePackCodec.Instance.Deserialize<Guid>(new ReadOnlySequence<byte>(buffer.WrittenMemory)));
        Assert.That(e!.Error.Code, Is.EqualTo((int)MicroStatusCode.BadRequest));
    }

    [Test]
    public void TypeOfDatesGuidsNullablesAndBytes_IsARoutine_ReadableByMessagePacksOwnFormatters()
    {
        Assert.That(MicroGenResolver.Instance.GetFormatter<RoutineStamp>(), Is.InstanceOf<MessagePackRoutine<RoutineStamp>>());
        Assert.That(MicroGenResolver.Instance.GetFormatter<int?>(), Is.InstanceOf<NullableRoutine<int>>());
        Assert.That(MicroGenResolver.Instance.GetFormatter<RoutineShade?>(), Is.InstanceOf<NullableRoutine<RoutineShade>>());

        var stamp = new RoutineStamp(
            new DateTime(2026, 12, 7, 14, 30, 15, DateTimeKind.Utc), new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.FromHours(5.5)),
            Guid.NewGuid(), TimeSpan.FromSeconds(-3), [1, 2, 3], 42, RoutineShade.Dark);
        var bytes = Encode(stamp);

        // Each member read back with MessagePack's own formatter for its type.
        var builtin = MessagePackSerializerOptions.Standard.WithResolver(BuiltinResolver.Instance);
        var reader = new MessagePackReader(bytes);
        Assert.That(reader.ReadMapHeader(), Is.EqualTo(7));
        var seen = new Dictionary<string, object?>();
        for (var i = 0; i < 7; i++)
        {
            var key = reader.ReadString()!;
            seen[key] = key switch
            {
                "At" => BuiltinResolver.Instance.GetFormatter<DateTime>()!.Deserialize(ref reader, builtin),
                "Seen" => BuiltinResolver.Instance.GetFormatter<DateTimeOffset>()!.Deserialize(ref reader, builtin),
                "Id" => BuiltinResolver.Instance.GetFormatter<Guid>()!.Deserialize(ref reader, builtin),
                "Took" => BuiltinResolver.Instance.GetFormatter<TimeSpan>()!.Deserialize(ref reader, builtin),
                "Bytes" => BuiltinResolver.Instance.GetFormatter<byte[]>()!.Deserialize(ref reader, builtin),
                "Count" => BuiltinResolver.Instance.GetFormatter<int?>()!.Deserialize(ref reader, builtin),
                "Shade" => reader.TryReadNil() ? null : (RoutineShade)reader.ReadByte(),
                _ => throw new AssertionException("unexpected key " + key),
            };
        }
        Assert.That(reader.End, Is.True);
        Assert.That(seen["At"], Is.EqualTo(stamp.At));
        Assert.That(seen["Seen"], Is.EqualTo(stamp.Seen));
        Assert.That(seen["Id"], Is.EqualTo(stamp.Id));
        Assert.That(seen["Took"], Is.EqualTo(stamp.Took));
        Assert.That(seen["Bytes"], Is.EqualTo(stamp.Bytes));
        Assert.That(seen["Count"], Is.EqualTo(42));
        Assert.That(seen["Shade"], Is.EqualTo(RoutineShade.Dark));

        var back = MessagePackCodec.Instance.Deserialize<RoutineStamp>(new ReadOnlySequence<byte>(bytes));
        Assert.That(back with { Bytes = null }, Is.EqualTo(stamp with { Bytes = null }));
        Assert.That(back.Bytes, Is.EqualTo(stamp.Bytes));
        var empty = new RoutineStamp(default, default, default, default, null, null, null);
        Assert.That(MessagePackCodec.Instance.Deserialize<RoutineStamp>(new ReadOnlySequence<byte>(Encode(empty))), Is.EqualTo(empty));
    }

    [Test]
    public void WholePrimitiveBody_ReadsWhatMessagePackWritesForTheType()
    {
        // A wider encoding of the same value (an int written as int64, a small uint as uint32) is
        // still read, as MessagePack's own formatters do.
        var wide = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(wide);
        writer.WriteInt64(42);
        writer.Flush();
        Assert.That(MessagePackCodec.Instance.Deserialize<int>(new ReadOnlySequence<byte>(wide.WrittenMemory)), Is.EqualTo(42));

        var tooLarge = Encode(long.MaxValue);
        var e = Assert.Throws<MicroException>(() => MessagePackCodec.Instance.Deserialize<int>(new ReadOnlySequence<byte>(tooLarge)));
        Assert.That(e!.Error.Code, Is.EqualTo((int)MicroStatusCode.BadRequest));
    }

    [Test]
    public void Routine_CalledByMessagePack_HonoursTheOptionsDepthLimit()
    {
        // A routine nested in another type is called by MessagePack with the caller's options: their
        // depth limit applies, not the codec's.
        var bytes = Encode(new ShapesDescriptor.AddArguments(1, 2));
        var shallow = MessagePackSerializerOptions.Standard
            .WithResolver(MicroGenResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(0));
        var e = Assert.Throws<MessagePackSerializationException>(() => MessagePackSerializer.Deserialize<ShapesDescriptor.AddArguments>(bytes, shallow));
        Assert.That(e!.InnerException, Is.InstanceOf<InsufficientExecutionStackException>());
        Assert.That(e.InnerException!.Message, Does.Contain("maximum depth allowed of 0"));

        var deep = shallow.WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(1));
        Assert.That(MessagePackSerializer.Deserialize<ShapesDescriptor.AddArguments>(bytes, deep), Is.EqualTo(new ShapesDescriptor.AddArguments(1, 2)));
    }

    [Test]
    public void Routine_CalledDirectly_EntersAndLeavesOneLevel()
    {
        var routine = (MessagePackRoutine<ShapesDescriptor.AddArguments>)MicroGenResolver.Instance.GetFormatter<ShapesDescriptor.AddArguments>()!;
        var reader = new MessagePackReader(Encode(new ShapesDescriptor.AddArguments(3, 4)));
        Assert.That(routine.Read(ref reader, MessagePackCodec.MaximumObjectGraphDepth), Is.EqualTo(new ShapesDescriptor.AddArguments(3, 4)));
        Assert.That(reader.Depth, Is.Zero);
        Assert.That(reader.End, Is.True);

        reader = new MessagePackReader(Encode(new ShapesDescriptor.AddArguments(3, 4))) { Depth = MessagePackCodec.MaximumObjectGraphDepth };
        try
        {
            routine.Read(ref reader, MessagePackCodec.MaximumObjectGraphDepth);
            Assert.Fail("a value one level past the limit was read");
        }
        catch (InsufficientExecutionStackException e)
        {
            Assert.That(e.Message, Does.Contain("maximum depth allowed of 500"));
        }
    }

    [Test]
    public void MaximumObjectGraphDepth_IsThatOfTheCodecsOptions()
    {
        Assert.That(MessagePackCodec.MaximumObjectGraphDepth, Is.EqualTo(MessagePackCodec.Options.Security.MaximumObjectGraphDepth));
        Assert.That(MessagePackCodec.MaximumObjectGraphDepth, Is.EqualTo(MessagePackSecurity.UntrustedData.MaximumObjectGraphDepth));
    }

    [Test]
    public void RoutineAndOptionsTypes_MixedInOneGraph_RoundTrip()
    {
        // Order (options) holds Items (options) holding a Priority (a routine); a Page of Items too.
        var order = new Order
        {
            Id = Guid.NewGuid(),
            PlacedAt = DateTimeOffset.UnixEpoch,
            Items = { new Item("a", 1.5m, Priority.High), new Item("b", 2m, Priority.Low) },
            Tags = { ["k"] = "v" },
            Discount = 3,
        };
        var back = MessagePackCodec.Instance.Deserialize<Order>(new ReadOnlySequence<byte>(Encode(order)));
        Assert.That(back.Items, Is.EqualTo(order.Items));
        Assert.That(back.Tags, Is.EqualTo(order.Tags));
        Assert.That(back.Discount, Is.EqualTo(3));
    }

    [Test]
    public void Formatters_OfTypesOfEnumsAndRoutineTypes_AreRoutinesToo()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MicroGenResolver.Instance.GetFormatter<RoutineTile>(), Is.InstanceOf<MessagePackRoutine<RoutineTile>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<RoutineSize>(), Is.InstanceOf<MessagePackRoutine<RoutineSize>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<RoutineShade>(), Is.InstanceOf<MessagePackRoutine<RoutineShade>>());
            Assert.That(MicroGenResolver.Instance.GetFormatter<RoutineChain>(), Is.InstanceOf<MessagePackRoutine<RoutineChain>>());
        });
    }

    [Test]
    public void NestedRoutines_WriteMapsKeyedByMemberName_AndRoundTrip()
    {
        var tile = new RoutineTile("roof", RoutineShade.Dark, new RoutineSize(3, 4));
        var bytes = Encode(tile);

        // Read back by hand: the nested record is a map too, the enum its underlying byte.
        var reader = new MessagePackReader(bytes);
        Assert.That(reader.ReadMapHeader(), Is.EqualTo(3));
        Assert.That(reader.ReadString(), Is.EqualTo("Name"));
        Assert.That(reader.ReadString(), Is.EqualTo("roof"));
        Assert.That(reader.ReadString(), Is.EqualTo("Shade"));
        Assert.That(reader.ReadByte(), Is.EqualTo(200));
        Assert.That(reader.ReadString(), Is.EqualTo("Size"));
        Assert.That(reader.ReadMapHeader(), Is.EqualTo(2));
        Assert.That(reader.ReadString(), Is.EqualTo("Width"));
        Assert.That(reader.ReadInt32(), Is.EqualTo(3));
        Assert.That(reader.ReadString(), Is.EqualTo("Height"));
        Assert.That(reader.ReadInt32(), Is.EqualTo(4));
        Assert.That(reader.End, Is.True);

        Assert.That(MessagePackCodec.Instance.Deserialize<RoutineTile>(new ReadOnlySequence<byte>(bytes)), Is.EqualTo(tile));
        var nullSize = tile with { Size = null! };
        Assert.That(MessagePackCodec.Instance.Deserialize<RoutineTile>(new ReadOnlySequence<byte>(Encode(nullSize))), Is.EqualTo(nullSize));
    }

    [Test]
    public void RecursiveRoutine_AsDeepAsTheLimit_RoundTrips_OneLevelMoreIsA400()
    {
        var atLimit = Chain(MessagePackCodec.MaximumObjectGraphDepth);
        var back = MessagePackCodec.Instance.Deserialize<RoutineChain>(new ReadOnlySequence<byte>(Encode(atLimit)));
        var length = 0;
        for (var link = back; link is not null; link = link.Next)
        {
            Assert.That(link.Value, Is.EqualTo(length++));
        }
        Assert.That(length, Is.EqualTo(MessagePackCodec.MaximumObjectGraphDepth));

        var tooDeep = Encode(Chain(MessagePackCodec.MaximumObjectGraphDepth + 1));
        var e = Assert.Throws<MicroException>(() => MessagePackCodec.Instance.Deserialize<RoutineChain>(new ReadOnlySequence<byte>(tooDeep)));
        Assert.That(e!.Error.Code, Is.EqualTo((int)MicroStatusCode.BadRequest));
        Assert.That(e.Message, Does.Contain("maximum depth allowed of 500"));
    }

    [Test]
    public void NestedMember_WithAFormatterRegisteredInstead_UsesIt()
    {
        // RoutineLabel's own formatter would write a map; the one registered writes a bare string,
        // so the badge's bytes show which ran, both ways.
        MessagePackCodec.Register(new LabelAsStringFormatter());
        var badge = new RoutineBadge(new RoutineLabel("gold"));
        var bytes = Encode(badge);

        var reader = new MessagePackReader(bytes);
        Assert.That(reader.ReadMapHeader(), Is.EqualTo(1));
        Assert.That(reader.ReadString(), Is.EqualTo("Label"));
        Assert.That(reader.ReadString(), Is.EqualTo("gold"));
        Assert.That(MessagePackCodec.Instance.Deserialize<RoutineBadge>(new ReadOnlySequence<byte>(bytes)), Is.EqualTo(badge));
    }

    private static RoutineChain Chain(int length)
    {
        RoutineChain? head = null;
        for (var i = length - 1; i >= 0; i--)
        {
            head = new RoutineChain { Value = i, Next = head };
        }
        return head!;
    }

    private sealed class LabelAsStringFormatter : IMessagePackFormatter<RoutineLabel?>
    {
        public void Serialize(ref MessagePackWriter writer, RoutineLabel? value, MessagePackSerializerOptions options) => writer.Write(value?.Text);

        public RoutineLabel? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            reader.ReadString() is { } text ? new RoutineLabel(text) : null;
    }

    private sealed class NotAContractType
    {
    }

    private static byte[] Encode<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessagePackCodec.Instance.Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    private static void AssertSameAsBuiltin<T>(T value)
    {
        var ours = AssertSameBytesAsBuiltin(value);
        Assert.That(MessagePackCodec.Instance.Deserialize<T>(new ReadOnlySequence<byte>(ours)), Is.EqualTo(value), $"{typeof(T).Name} {value}");
    }

    private static byte[] AssertSameBytesAsBuiltin<T>(T value)
    {
        var ours = Encode(value);
        var theirs = MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard.WithResolver(BuiltinResolver.Instance));
        Assert.That(ours, Is.EqualTo(theirs), $"{typeof(T).Name} {value}");
        return ours;
    }
}

public enum RoutineShade : byte
{
    Light,
    Dark = 200,
}

public sealed record RoutineSize(int Width, int Height);

/// <summary>A routine of a string, an enum and another routine type.</summary>
[MicroEvent]
public sealed record RoutineTile(string Name, RoutineShade Shade, RoutineSize Size);

/// <summary>A recursive routine type.</summary>
[MicroEvent]
public sealed class RoutineChain
{
    public int Value { get; set; }

    public RoutineChain? Next { get; set; }
}

public sealed record RoutineLabel(string Text);

/// <summary>Holds a routine type whose formatter a test replaces.</summary>
[MicroEvent]
public sealed record RoutineBadge(RoutineLabel Label);

/// <summary>A routine of the leaves MicroGen has routines for, and nullables.</summary>
[MicroEvent]
public sealed record RoutineStamp(DateTime At, DateTimeOffset Seen, Guid Id, TimeSpan Took, byte[]? Bytes, int? Count, RoutineShade? Shade);
