using System.IO.Compression;

namespace Notifier.Storage;

/// <summary>
/// An event body as a digest item keeps it: Brotli at its fastest setting when that makes it smaller. Event JSON
/// shrinks to about 40 %, and every byte stored is a byte the client serializes and the table service parses,
/// once per recipient; compressing costs tens of microseconds, once per event.
/// </summary>
internal static class StoredBody
{
    public const string Brotli = "br";

    private const int Quality = 1;
    private const int Window = 22;

    /// <summary>The bytes to store and their encoding (<see cref="Brotli"/>, or null when stored as they are).</summary>
    public static (ReadOnlyMemory<byte> Bytes, string? Encoding) Encode(ReadOnlyMemory<byte> body)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(body.Length)];
        return BrotliEncoder.TryCompress(body.Span, buffer, out var written, Quality, Window) && written < body.Length
            ? (buffer.AsMemory(0, written), Brotli)
            : (body, null);
    }

    /// <summary>The original body; empty when it cannot be decoded (the flush then reports the item as unreadable).</summary>
    public static byte[] Decode(byte[] stored, string? encoding, int length)
    {
        if (encoding is null)
        {
            return stored;
        }

        var body = new byte[Math.Max(length, 0)];
        return encoding == Brotli && BrotliDecoder.TryDecompress(stored, body, out var written) && written == body.Length ? body : [];
    }
}
