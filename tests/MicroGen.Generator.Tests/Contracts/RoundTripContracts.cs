using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MicroGen.Generator.Tests.Proto;

namespace MicroGen.Generator.Tests.Contracts;

// Contracts and DTOs compiled with the generator as an analyzer: the round-trip tests run their
// generated codec routines, proxies and dispatchers for real.

public sealed class HelloRequest
{
    public string Name { get; set; } = string.Empty;
}

public sealed record HelloReply(string Message);

public enum Color
{
    Red,
    Green,
    Blue = 10,
}

public enum Small : byte
{
    None = 0,
    One = 1,
    Max = 255,
}

[Flags]
public enum Access : long
{
    None = 0,
    Read = 1,
    Write = 2,
    All = Read | Write,
    Huge = long.MinValue,
}

public readonly record struct Point(int X, int Y);

public struct MutablePoint
{
    public double X;
    public double Y { get; set; }
}

public sealed record Item(Guid Id, string Name, decimal Price);

public sealed class Page<T>
{
    public required IReadOnlyList<T> Items { get; init; }

    public int Total { get; init; }

    public string? Cursor { get; init; }
}

public sealed class TreeNode
{
    public string Label { get; set; } = string.Empty;

    public TreeNode? Left { get; set; }

    public TreeNode? Right { get; set; }

    public List<TreeNode>? Children { get; set; }
}

public sealed record Primitives(
    bool Flag,
    byte U8,
    sbyte I8,
    short I16,
    ushort U16,
    int I32,
    uint U32,
    long I64,
    ulong U64,
    float F32,
    double F64,
    decimal Money,
    char Letter,
    string? Text,
    Guid Id,
    DateTime When,
    DateTimeOffset At,
    TimeSpan Span,
    byte[]? Blob);

public sealed class Everything
{
    public required string Title { get; init; }

    public int? MaybeNumber { get; set; }

    public Point? MaybePoint { get; set; }

    public Color Color { get; set; }

    public Small Small { get; set; }

    public Access Access { get; set; }

    public Color? MaybeColor { get; set; }

    public int[]? Numbers { get; set; }

    public List<string?>? Words { get; set; }

    public IReadOnlyList<Point>? Points { get; set; }

    public Dictionary<string, int>? Counts { get; set; }

    public Dictionary<Color, List<int>>? ByColor { get; set; }

    public IReadOnlyDictionary<Guid, Item>? Catalog { get; set; }

    public Page<Item>? Page { get; set; }

    public MutablePoint Mutable { get; set; }

    public PingMessage? Proto { get; set; }

    public Primitives? Primitives { get; set; }

    public Profile? Owner { get; set; }
}

/// <summary>
/// A nominal record: no primary constructor, every member an <c>init</c> accessor, one of them
/// <c>required</c>. Its formatter must construct it through an object initializer.
/// </summary>
public sealed record Profile
{
    public required string Name { get; init; }

    public int Age { get; init; }

    public string? Nickname { get; init; }

    public DateTime Born { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public Point? Home { get; init; }
}

[MicroEvent]
public sealed record UserCreated(long Id, string Email, DateTimeOffset At);

[MicroService("roundtrip", Version = "2.0.0")]
public interface IRoundTrip
{
    Task<HelloReply> SayHello(HelloRequest request, CancellationToken cancellationToken = default);

    ValueTask<int> Add(int a, int b, CancellationToken cancellationToken = default);

    Task Ping();

    ValueTask Touch(string key, CancellationToken ct);

    Task<Everything> Echo(Everything value, CancellationToken cancellationToken = default);

    Task<Primitives> EchoPrimitives(Primitives value);

    Task<TreeNode?> EchoTree(TreeNode? node);

    Task<Profile> EchoProfile(Profile profile);

    Task<Page<Item>> Search(string query, int limit, Color? color, CancellationToken cancellationToken = default);

    [Idempotent]
    Task<PingMessage> Proto(PingMessage message, CancellationToken cancellationToken = default);

    [Endpoint("Keywords")]
    Task<int> Keywords(int @class, string @event, CancellationToken cancellationToken = default);
}
