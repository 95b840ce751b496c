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

    /// <summary>Long lines are encoded in pieces of this many input bytes, so the reserved output stays small.</summary>
    private const int PieceSize = 1024;

    /// <summary>Bytes quoted-printable writes as they are: printable ASCII except '=', and space and tab inside a line.</summary>
    private static readonly SearchValues<byte> QpLiteral = SearchValues.Create(LiteralBytes());

    /// <summary>Bytes that cost QP nothing extra: the literal ones and the line-break bytes.</summary>
    private static readonly SearchValues<byte> QpCheap = SearchValues.Create([.. LiteralBytes(), (byte)'\r', (byte)'\n']);

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
        var rest = utf8;
        while (true)
        {
            var next = rest.IndexOfAnyExcept(QpCheap);
            if (next < 0)
            {
                break;
            }

            escaped++;
            rest = rest[(next + 1)..];
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
        var endsWithBreak = source.IsEmpty;
        while (!source.IsEmpty)
        {
            var lineEnd = source.IndexOfAny((byte)'\r', (byte)'\n');
            if (lineEnd < 0)
            {
                WriteQuotedPrintableLine(ref sink, source);
                return false;
            }

            WriteQuotedPrintableLine(ref sink, source[..lineEnd]);

            // CRLF, bare CR and bare LF all become one CRLF.
            var breakLength = source[lineEnd] == '\r' && lineEnd + 1 < source.Length && source[lineEnd + 1] == '\n' ? 2 : 1;
            sink.WriteCrlf();
            endsWithBreak = true;
            source = source[(lineEnd + breakLength)..];
        }

        return endsWithBreak;
    }

    /// <summary>
    /// One line without its break, encoded into one reserved span per piece: runs of literal bytes are found
    /// with a vectorised search and copied in bulk, everything else becomes =XX, and soft breaks keep encoded
    /// lines within 76 characters. Whitespace at the very end is encoded (transports strip it otherwise).
    /// </summary>
    private static void WriteQuotedPrintableLine(ref MimeSink sink, ReadOnlySpan<byte> line)
    {
        var column = 0;
        while (!line.IsEmpty)
        {
            var piece = line.Length > PieceSize ? line[..PieceSize] : line;
            var pieceEndsLine = piece.Length == line.Length;

            // Worst case: every byte escaped, plus a soft break every 25 escapes.
            var target = sink.Reserve((piece.Length * 3) + ((piece.Length / 25) + 2) * 3);
            var written = 0;
            var i = 0;
            while (i < piece.Length)
            {
                var run = piece[i..].IndexOfAnyExcept(QpLiteral);
                run = run < 0 ? piece.Length - i : run;
                if (pieceEndsLine && i + run == piece.Length && run > 0 && piece[^1] is (byte)' ' or (byte)'\t')
                {
                    run--;
                }

                while (run > 0)
                {
                    var room = QpLineLimit - 1 - column;
                    var lastOfLine = pieceEndsLine && i + run == piece.Length;
                    if (room <= 0 && !(lastOfLine && run == 1 && room == 0))
                    {
                        WriteSoftBreak(target, ref written);
                        column = 0;
                        room = QpLineLimit - 1;
                    }

                    // The last character of a line may use the column a soft break's '=' would need.
                    var take = lastOfLine && run == room + 1 ? run : Math.Min(run, Math.Max(room, 0));
                    piece.Slice(i, take).CopyTo(target[written..]);
                    written += take;
                    column += take;
                    i += take;
                    run -= take;
                }

                if (i == piece.Length)
                {
                    break;
                }

                var limit = pieceEndsLine && i == piece.Length - 1 ? QpLineLimit : QpLineLimit - 1;
                if (column + 3 > limit)
                {
                    WriteSoftBreak(target, ref written);
                    column = 0;
                }

                var b = piece[i++];
                target[written] = (byte)'=';
                target[written + 1] = HexDigit(b >> 4);
                target[written + 2] = HexDigit(b & 0xF);
                written += 3;
                column += 3;
            }

            sink.Commit(written);
            line = line[piece.Length..];
        }
    }

    private static void WriteSoftBreak(Span<byte> target, ref int written)
    {
        target[written] = (byte)'=';
        target[written + 1] = (byte)'\r';
        target[written + 2] = (byte)'\n';
        written += 3;
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

    private static byte[] LiteralBytes()
    {
        var bytes = new List<byte> { (byte)' ', (byte)'\t' };
        for (var b = 33; b <= 126; b++)
        {
            if (b != '=')
            {
                bytes.Add((byte)b);
            }
        }

        return [.. bytes];
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'A' + value - 10);
}
