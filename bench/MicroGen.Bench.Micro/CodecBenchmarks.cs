using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;
using MessagePack;
using MicroGen.Codec;

namespace MicroGen.Bench.Micro;

/// <summary>
/// MicroGen's generated codec routines (through <see cref="MessagePackCodec"/> and
/// <see cref="JsonCodec"/>) against MessagePack's own <see cref="MessagePackSerializer"/> with its
/// default dynamic resolver, on the same shape.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _writer = new(4096);
    private Order _order = null!;
    private OrderMp _orderMp = null!;
    private OrderMpArray _orderMpArray = null!;
    private ReadOnlySequence<byte> _microGenMsgPack;
    private ReadOnlySequence<byte> _microGenJson;
    private ReadOnlyMemory<byte> _mpMap;
    private ReadOnlyMemory<byte> _mpArray;

    [GlobalSetup]
    public void Setup()
    {
        _order = Samples.Order();
        _orderMp = Samples.OrderMp();
        _orderMpArray = Samples.OrderMpArray();

        MessagePackCodec.Instance.Serialize(_writer, _order);
        _microGenMsgPack = new ReadOnlySequence<byte>(_writer.WrittenMemory.ToArray());
        _writer.ResetWrittenCount();
        JsonCodec.Instance.Serialize(_writer, _order);
        _microGenJson = new ReadOnlySequence<byte>(_writer.WrittenMemory.ToArray());
        _mpMap = MessagePackSerializer.Serialize(_orderMp);
        _mpArray = MessagePackSerializer.Serialize(_orderMpArray);

        // The same bytes on the wire for the map-keyed forms: the comparison is like for like.
        if (_microGenMsgPack.Length != _mpMap.Length)
        {
            Console.WriteLine($"note: MicroGen writes {_microGenMsgPack.Length} B, MessagePack (map) {_mpMap.Length} B, (array) {_mpArray.Length} B");
        }
        if (MessagePackCodec.Instance.Deserialize<Order>(_microGenMsgPack).Lines.Count != 3 || JsonCodec.Instance.Deserialize<Order>(_microGenJson).Tags.Count != 2)
        {
            throw new InvalidOperationException("round trip failed");
        }
    }

    [Benchmark(Baseline = true, Description = "MicroGen MessagePackCodec.Serialize (generated)")]
    public long MicroGenMsgPackSerialize()
    {
        _writer.ResetWrittenCount();
        MessagePackCodec.Instance.Serialize(_writer, _order);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "MessagePackSerializer.Serialize (dynamic, map keys)")]
    public long MessagePackSerialize()
    {
        _writer.ResetWrittenCount();
        MessagePackSerializer.Serialize(_writer, _orderMp);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "MessagePackSerializer.Serialize (dynamic, int keys)")]
    public long MessagePackSerializeArray()
    {
        _writer.ResetWrittenCount();
        MessagePackSerializer.Serialize(_writer, _orderMpArray);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "MicroGen JsonCodec.Serialize (generated)")]
    public long MicroGenJsonSerialize()
    {
        _writer.ResetWrittenCount();
        JsonCodec.Instance.Serialize(_writer, _order);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "MicroGen MessagePackCodec.Deserialize (generated)")]
    public Order MicroGenMsgPackDeserialize() => MessagePackCodec.Instance.Deserialize<Order>(_microGenMsgPack);

    [Benchmark(Description = "MessagePackSerializer.Deserialize (dynamic, map keys)")]
    public OrderMp MessagePackDeserialize() => MessagePackSerializer.Deserialize<OrderMp>(_mpMap);

    [Benchmark(Description = "MessagePackSerializer.Deserialize (dynamic, int keys)")]
    public OrderMpArray MessagePackDeserializeArray() => MessagePackSerializer.Deserialize<OrderMpArray>(_mpArray);

    [Benchmark(Description = "MicroGen JsonCodec.Deserialize (generated)")]
    public Order MicroGenJsonDeserialize() => JsonCodec.Instance.Deserialize<Order>(_microGenJson);
}
