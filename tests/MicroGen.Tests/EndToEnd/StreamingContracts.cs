using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Tests.Protos;

namespace MicroGen.Tests.EndToEnd;

public sealed record Line(int Number, string Text);

public sealed record Chunk(int Index, byte[] Data);

public sealed record UploadSummary(string Name, int Count, long Bytes);

/// <summary>Every streaming shape: server, client (each result shape) and duplex, with and without leading arguments.</summary>
[MicroService("streaming", Version = "1.0.0")]
public interface IStreaming
{
    /// <summary>Server streaming, one argument: lines 0..count-1.</summary>
    IAsyncEnumerable<Line> Count(int count, CancellationToken cancellationToken = default);

    /// <summary>Server streaming, several leading arguments: <paramref name="count"/> lines of <paramref name="file"/> from <paramref name="from"/>.</summary>
    IAsyncEnumerable<Line> Tail(string file, int from, int count, CancellationToken cancellationToken = default);

    /// <summary>Server streaming, no argument: numbers until cancelled.</summary>
    IAsyncEnumerable<int> Forever(CancellationToken cancellationToken = default);

    /// <summary>Server streaming: <paramref name="count"/> lines, then a MicroException (or, with <paramref name="crash"/>, any other exception).</summary>
    IAsyncEnumerable<Line> FailAfter(int count, bool crash, CancellationToken cancellationToken = default);

    /// <summary>Server streaming: <paramref name="count"/> lines, then the handler cancels the call itself (a token of its own fires).</summary>
    IAsyncEnumerable<Line> GiveUpAfter(int count, CancellationToken cancellationToken = default);

    /// <summary>Server streaming: the request header <paramref name="key"/>, as the handler sees it, three times.</summary>
    IAsyncEnumerable<string> Headers(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Client streaming with a leading argument and a <c>Task&lt;T&gt;</c> result. The name "reject"
    /// fails the call at the third chunk; "cancel" makes the handler cancel it there.
    /// </summary>
    Task<UploadSummary> Upload(string name, IAsyncEnumerable<Chunk> chunks, CancellationToken cancellationToken = default);

    /// <summary>Client streaming, no leading argument, <c>ValueTask&lt;T&gt;</c> result.</summary>
    ValueTask<long> Sum(IAsyncEnumerable<int> numbers, CancellationToken cancellationToken = default);

    /// <summary>Client streaming, <c>Task</c> result: the handler keeps the words under <paramref name="key"/>.</summary>
    Task Collect(string key, IAsyncEnumerable<string> words, CancellationToken cancellationToken = default);

    /// <summary>Client streaming, <c>ValueTask</c> result and no token.</summary>
    ValueTask Discard(IAsyncEnumerable<int> numbers);

    /// <summary>Duplex with a leading argument: each line back, prefixed; a line "boom" fails the call, a line "cancel" makes the handler cancel it.</summary>
    IAsyncEnumerable<Line> Echo(string prefix, IAsyncEnumerable<Line> lines, CancellationToken cancellationToken = default);

    /// <summary>Duplex, no leading argument: the running sum after each number.</summary>
    IAsyncEnumerable<long> Running(IAsyncEnumerable<int> numbers, CancellationToken cancellationToken = default);
}

/// <summary>Streaming with protobuf messages: the default content type is application/protobuf.</summary>
[MicroService("ticker")]
public interface ITicker
{
    /// <summary>Server streaming: <c>request.Count</c> ticks labelled with <c>request.Name</c>.</summary>
    IAsyncEnumerable<Tick> Ticks(PingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Client streaming: one reply listing the sequence numbers received.</summary>
    Task<PingReply> Gather(IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default);

    /// <summary>Duplex: each tick back with its sequence doubled.</summary>
    IAsyncEnumerable<Tick> Relay(IAsyncEnumerable<Tick> ticks, CancellationToken cancellationToken = default);
}
