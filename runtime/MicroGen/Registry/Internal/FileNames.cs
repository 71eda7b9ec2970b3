using System;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace MicroGen.Registry.Internal;

/// <summary>Turns service names and node ids into safe, distinct file and folder names.</summary>
internal static class FileNames
{
    // Keeps names well below the 255-byte limit of common file systems, with room for ".json" and
    // the temporary-file decoration.
    private const int MaxLength = 150;

    private static readonly string[] WindowsDeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>
    /// Encodes <paramref name="name"/> so that it is one path segment on every platform: ASCII
    /// letters, digits, <c>-</c>, <c>_</c> and inner <c>.</c> are kept, every other byte of its UTF-8
    /// form becomes <c>%XX</c>. The encoding is injective, so two names never share a file; names
    /// too long for a file system are shortened and suffixed with a hash of the full name.
    /// </summary>
    public static string Encode(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var builder = new StringBuilder(name.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            // A leading dot would hide the file and mark it as one of our temporary files.
            if (IsSafe(c) && !(c == '.' && i == 0))
            {
                builder.Append(c);
                continue;
            }
            var length = char.IsSurrogatePair(name, i)
                ? Encoding.UTF8.GetBytes(name.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(name.AsSpan(i, 1), utf8);
            for (var b = 0; b < length; b++)
            {
                builder.Append('%').Append(utf8[b].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (name[^1] == '.')
        {
            // Windows drops trailing dots.
            builder.Length--;
            builder.Append("%2E");
        }
        var encoded = builder.ToString();
        var stem = encoded.Split('.')[0];
        if (Array.Exists(WindowsDeviceNames, d => string.Equals(d, stem, StringComparison.OrdinalIgnoreCase)))
        {
            encoded = "%" + ((int)encoded[0]).ToString("X2", System.Globalization.CultureInfo.InvariantCulture) + encoded[1..];
        }
        return encoded.Length > MaxLength ? Shorten(encoded, name) : encoded;
    }

    // Apart, so that only a long name loads System.Security.Cryptography (and OpenSSL), when this
    // method is compiled, not every registration.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Shorten(string encoded, string name)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 8));
        return string.Concat(encoded.AsSpan(0, MaxLength - hash.Length - 1), "~", hash);
    }

    private static bool IsSafe(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';
}
