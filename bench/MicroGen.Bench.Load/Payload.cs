using System;
using System.Text;

namespace MicroGen.Bench.Load;

/// <summary>
/// One payload size: the request's <c>Name</c> is <see cref="Size"/> ASCII characters (so
/// <see cref="Size"/> bytes on every wire), and the expected reply is <c>"Hello " + Name</c>.
/// </summary>
internal sealed class Payload
{
    public const string Prefix = "Hello ";

    public Payload(int size)
    {
        Size = size;
        var chars = new char[size];
        for (var i = 0; i < size; i++)
        {
            chars[i] = (char)('a' + (i % 26));
        }
        Name = new string(chars);
        Expected = Prefix + Name;
        NameUtf8 = Encoding.UTF8.GetBytes(Name);
        ExpectedUtf8 = Encoding.UTF8.GetBytes(Expected);
    }

    public int Size { get; }

    public string Name { get; }

    public string Expected { get; }

    public byte[] NameUtf8 { get; }

    public byte[] ExpectedUtf8 { get; }

    public static string Format(int bytes) => bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    public override string ToString() => Format(Size);
}
