using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Notifier.Smtp.Mime;

/// <summary>
/// Encodes a text body for a MIME part: line breaks normalised to CRLF, then quoted-printable or base64,
/// whichever is shorter for this text (QP for mostly-ASCII prose, base64 for CJK, emoji and the like).
/// Lines never exceed 76 characters. Leading dots are left alone: dot-stuffing is the SMTP client's job.
/// </summary>
internal static class BodyEncoding
{
    /// <summary>RFC 2045: encoded lines are at most 76 characters, so 75 plus the '=' of a soft break.</summary>
    private const int QpLineLimit = 76;

    /// <summary>57 bytes make one 76-character base64 line.</summary>
    private const int Base64LineBytes = 57;

    public enum Kind
    {
        QuotedPrintable,
        Base64,
    }

    public static ReadOnlySpan<byte> HeaderName(Kind kind) =>
        kind == Kind.Base64 ? "base64"u8 : "quoted-printable"u8;

    /// <summary>The UTF-8 bytes of <paramref name="text"/> in a rented buffer; the caller returns it to the pool.</summary>
    public static byte[] RentUtf8(string text, out int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, Encoding.UTF8.GetMaxByteCount(text.Length)));
        length = Encoding.UTF8.GetBytes(text, buffer);
        return buffer;
    }

    /// <summary>Picks the transfer encoding that makes <paramref name="utf8"/> shorter on the wire.</summary>
    public static Kind Choose(ReadOnlySpan<byte> utf8)
    {
        // Bytes QP must escape: everything outside printable ASCII except the line-break and tab bytes, and '='.
        var escaped = 0;
        foreach (var b in utf8)
        {
            if (b is > 126 or (byte)'=' || (b < 32 && b is not ((byte)'\r' or (byte)'\n' or (byte)'\t')))
            {
                escaped++;
            }
        }

        long qp = utf8.Length + (2L * escaped);
        long base64 = (utf8.Length + 2L) / 3 * 4 * 78 / 76;
        return qp <= base64 ? Kind.QuotedPrintable : Kind.Base64;
    }

    /// <summary>Writes the encoded body; returns true when the output ends with CRLF.</summary>
    public static bool Write(ref MimeSink sink, ReadOnlySpan<byte> utf8, Kind kind) =>
        kind == Kind.Base64 ? WriteBase64(ref sink, utf8) : WriteQuotedPrintable(ref sink, utf8);

    private static bool WriteQuotedPrintable(ref MimeSink sink, ReadOnlySpan<byte> source)
    {
        var lineLength = 0;
        var endsWithBreak = false;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                // CRLF, bare CR and bare LF all become one CRLF.
                if (b == '\r' && i + 1 < source.Length && source[i + 1] == '\n')
                {
                    i++;
                }

                sink.WriteCrlf();
                lineLength = 0;
                endsWithBreak = true;
                continue;
            }

            endsWithBreak = false;
            var atLineEnd = i + 1 == source.Length || source[i + 1] is (byte)'\r' or (byte)'\n';
            var literal = b is >= 33 and <= 126 and not (byte)'=' || (b is (byte)' ' or (byte)'\t' && !atLineEnd);
            var size = literal ? 1 : 3;

            // Keep room for the '=' of a soft break, except for the last character of a line, which may use it.
            var limit = atLineEnd ? QpLineLimit : QpLineLimit - 1;
            if (lineLength + size > limit)
            {
                sink.Write("=\r\n"u8);
                lineLength = 0;
            }

            var target = sink.Reserve(3);
            if (literal)
            {
                target[0] = b;
            }
            else
            {
                target[0] = (byte)'=';
                target[1] = HexDigit(b >> 4);
                target[2] = HexDigit(b & 0xF);
            }

            sink.Commit(size);
            lineLength += size;
        }

        return endsWithBreak || source.IsEmpty;
    }

    private static bool WriteBase64(ref MimeSink sink, ReadOnlySpan<byte> source)
    {
        var normalized = ArrayPool<byte>.Shared.Rent(Math.Max(16, source.Length * 2));
        try
        {
            var length = NormalizeLineBreaks(source, normalized);
            var remaining = normalized.AsSpan(0, length);
            while (!remaining.IsEmpty)
            {
                var chunk = remaining[..Math.Min(Base64LineBytes, remaining.Length)];
                var target = sink.Reserve(80);
                Base64.EncodeToUtf8(chunk, target, out _, out var written);
                target[written] = (byte)'\r';
                target[written + 1] = (byte)'\n';
                sink.Commit(written + 2);
                remaining = remaining[chunk.Length..];
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(normalized);
        }
    }

    private static int NormalizeLineBreaks(ReadOnlySpan<byte> source, Span<byte> target)
    {
        var length = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (b == '\r' && i + 1 < source.Length && source[i + 1] == '\n')
                {
                    i++;
                }

                target[length++] = (byte)'\r';
                target[length++] = (byte)'\n';
            }
            else
            {
                target[length++] = b;
            }
        }

        return length;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'A' + value - 10);
}
