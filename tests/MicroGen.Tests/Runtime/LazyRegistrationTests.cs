using System;
using System.Buffers;
using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;
using MicroGen.Client;
using MicroGen.Codec;
using MicroGen.Server;
using NUnit.Framework;

namespace MicroGen.Tests.Runtime;

/// <summary>
/// Generated module initializers register how to make each codec routine and each contract's
/// descriptor, not the things themselves: nothing is made (or JIT-compiled) before its first use,
/// it is made once, and a routine registered directly still wins.
/// </summary>
public sealed class LazyRegistrationTests
{
    // Each test uses its own types: codec registrations are process-wide.
    private sealed record Lazy1(int Value);

    private sealed record Lazy2(int Value);

    private sealed record Lazy3(int Value);

    [Test]
    public void MessagePackFactory_MadeOnFirstUseOnly_OnceAndUsed()
    {
        // Arrange
        var made = 0;
        MessagePackCodec.Register(typeof(Lazy1), () =>
        {
            made++;
            return new Lazy1Formatter();
        });

        // Act
        var before = made;
        var body = new ArrayBufferWriter<byte>();
        MessagePackCodec.Instance.Serialize(body, new Lazy1(7));
        var back = MessagePackCodec.Instance.Deserialize<Lazy1>(new ReadOnlySequence<byte>(body.WrittenMemory));

        // Assert
        Assert.That(before, Is.Zero, "registering makes nothing");
        Assert.That(made, Is.EqualTo(1), "made once, on the first use, and kept");
        Assert.That(back, Is.EqualTo(new Lazy1(7)));
    }

    [Test]
    public void MessagePackFactory_FormatterRegisteredDirectly_Wins()
    {
        // Arrange
        var made = 0;
        MessagePackCodec.Register<Lazy2>(new Lazy2Formatter());
        MessagePackCodec.Register(typeof(Lazy2), () =>
        {
            made++;
            return new Lazy2Formatter();
        });

        // Act
        var formatter = MicroGenResolver.Instance.GetFormatter<Lazy2>();

        // Assert
        Assert.That(formatter, Is.InstanceOf<Lazy2Formatter>());
        Assert.That(made, Is.Zero);
    }

    [Test]
    public void JsonFactory_MadeOnFirstUseOnly_OnceAndUsed()
    {
        // Arrange
        var made = 0;
        JsonCodec.Register(typeof(Lazy3), () =>
        {
            made++;
            return new Lazy3JsonRoutine();
        });

        // Act
        var before = made;
        var body = new ArrayBufferWriter<byte>();
        JsonCodec.Instance.Serialize(body, new Lazy3(9));
        var back = JsonCodec.Instance.Deserialize<Lazy3>(new ReadOnlySequence<byte>(body.WrittenMemory));

        // Assert
        Assert.That(before, Is.Zero, "registering makes nothing");
        Assert.That(made, Is.EqualTo(1), "made once, on the first use, and kept");
        Assert.That(back, Is.EqualTo(new Lazy3(9)));
    }

    [Test]
    public void ServiceContract_LazyDescriptor_MadeOnFirstReadOnly()
    {
        // Arrange
        var made = 0;
        var descriptor = new ServiceDescriptor("lazy", "1.0.0", "Lazy", Array.Empty<MethodDescriptor>());
        var contract = new ServiceContract<IDisposable>(
            () =>
            {
                made++;
                return descriptor;
            },
            static (_, _) => throw new NotSupportedException(),
            static _ => throw new NotSupportedException());

        // Act
        var before = made;
        var first = contract.Descriptor;
        var second = contract.Descriptor;

        // Assert
        Assert.That(before, Is.Zero);
        Assert.That(made, Is.EqualTo(1));
        Assert.That(first, Is.SameAs(descriptor));
        Assert.That(second, Is.SameAs(descriptor));
    }

    [Test]
    public void Register_NullArguments_Refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => MessagePackCodec.Register(null!, () => new object()), Throws.ArgumentNullException);
            Assert.That(() => MessagePackCodec.Register(typeof(Lazy1), null!), Throws.ArgumentNullException);
            Assert.That(() => JsonCodec.Register(typeof(Lazy3), null!), Throws.ArgumentNullException);
            Assert.That(() => ProtobufCodec.Register(typeof(Lazy3), null!), Throws.ArgumentNullException);
        });
    }

    private sealed class Lazy1Formatter : IMessagePackFormatter<Lazy1>
    {
        public void Serialize(ref MessagePackWriter writer, Lazy1 value, MessagePackSerializerOptions options) => writer.Write(value.Value);

        public Lazy1 Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => new(reader.ReadInt32());
    }

    private sealed class Lazy2Formatter : IMessagePackFormatter<Lazy2>
    {
        public void Serialize(ref MessagePackWriter writer, Lazy2 value, MessagePackSerializerOptions options) => writer.Write(value.Value);

        public Lazy2 Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => new(reader.ReadInt32());
    }

    private sealed class Lazy3JsonRoutine : JsonRoutine<Lazy3>
    {
        public override void Write(Utf8JsonWriter writer, Lazy3 value) => writer.WriteNumberValue(value.Value);

        public override Lazy3 Read(ref Utf8JsonReader reader) => new(reader.GetInt32());
    }
}
