using System.Buffers;
using System.Text;
using MimeKit;
using MimeKit.IO;

namespace Notifier.Smtp.Messages;

/// <summary>
/// A UTF-8 text part that knows its own bytes. MimeKit decides a part's transfer encoding by pushing the whole
/// body through a byte-by-byte filter on every send, and writes 7bit and 8bit bodies through a line-end filter
/// one byte at a time. This part scans its bytes once, with vectorised searches, and when the answer is plain
/// (no NUL, no line starting with "From ", every line shorter than the limit; 7bit when ASCII, 8bit otherwise)
/// sets it without MimeKit's scan, and writes such a body as one block with CRLF line ends. Everything else (a
/// 7-bit server with non-ASCII text, long lines, NUL, the "From " marker, other line-end conventions) goes to
/// MimeKit's own code, so the bytes on the wire are exactly what MimeKit would write.
/// </summary>
/// <remarks>
/// The body lives in a pooled buffer that goes back to the pool when the part is disposed; every message is
/// disposed once sent or written.
/// </remarks>
internal sealed class ScannedTextPart : TextPart
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();

    /// <summary>The line lengths MimeKit's Prepare accepts; anything else goes to MimeKit, which refuses it.</summary>
    private const int MinimumLineLength = 60;

    private const int MaximumLineLength = 998;

    private readonly MimeContent _content;
    private byte[]? _buffer;
    private readonly int _length;
    private readonly Shape _shape;

    /// <param name="subtype">"plain" or "html".</param>
    /// <param name="text">
    /// The body. A bare CR is never sent in a 7bit or 8bit body: when the text has one, every line end becomes LF
    /// (MimeKit writes LF as CRLF).
    /// </param>
    public ScannedTextPart(string subtype, string text)
        : base(subtype)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (HasBareCarriageReturn(text))
        {
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        }

        // One pass: the buffer is rented for the longest possible encoding rather than counted first.
        _buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length = Encoding.UTF8.GetBytes(text, _buffer);
        _shape = Shape.Of(_buffer.AsSpan(0, _length));
        ContentType.CharsetEncoding = Encoding.UTF8;
        _content = new MimeContent(new MemoryStream(_buffer, 0, _length, writable: false, publiclyVisible: true));
        Content = _content;
    }

    /// <summary>
    /// What MimeKit's scan would conclude, without the scan, when the answer is 7bit or 8bit; MimeKit's own
    /// decision otherwise.
    /// </summary>
    public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
    {
        if (maxLineLength is < MinimumLineLength or > MaximumLineLength || !Owned
            || ContentTransferEncoding is ContentEncoding.QuotedPrintable or ContentEncoding.Base64 or ContentEncoding.UUEncode or ContentEncoding.Binary
            || _shape.Best(constraint, maxLineLength) is not { } best)
        {
            base.Prepare(constraint, maxLineLength);
            return;
        }

        if (ContentTransferEncoding == ContentEncoding.Default && best == ContentEncoding.SevenBit)
        {
            return;
        }

        ContentTransferEncoding = best;
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (!CanWriteDirectly(options, stream))
        {
            base.WriteTo(options, stream, contentOnly, cancellationToken);
            return;
        }

        if (stream is MeasuringStream measure)
        {
            Count(measure, contentOnly);
            return;
        }

        var block = Render(contentOnly, out var length);
        try
        {
            if (stream is ICancellableStream cancellable)
            {
                cancellable.Write(block, 0, length, cancellationToken);
            }
            else
            {
                cancellationToken.ThrowIfCancellationRequested();
                stream.Write(block, 0, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (!CanWriteDirectly(options, stream))
        {
            await base.WriteToAsync(options, stream, contentOnly, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (stream is MeasuringStream measure)
        {
            Count(measure, contentOnly);
            return;
        }

        var block = Render(contentOnly, out var length);
        try
        {
            await stream.WriteAsync(block.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the content is still the one this part made (nobody replaced it).</summary>
    private bool Owned => _buffer is not null && ReferenceEquals(Content, _content);

    /// <summary>
    /// MimeKit writes a 7bit or 8bit body (and a body not yet prepared) only through its line-end filter: for
    /// CRLF output of a body that ends with a line end, that is the body with every LF made CRLF, which this
    /// part writes itself. A body without a final line end, LF output or international headers go to MimeKit.
    /// </summary>
    private bool CanWriteDirectly(FormatOptions options, Stream stream) =>
        options is { NewLineFormat: NewLineFormat.Dos, International: false } && stream is not null && Owned && _shape.EndsWithLineEnd
        && ContentTransferEncoding is ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit;

    /// <summary>
    /// Measuring (MailKit's SIZE, our size checks) only needs the length of what <see cref="Render"/> would write:
    /// it is added to the count without copying the body.
    /// </summary>
    private void Count(MeasuringStream measure, bool contentOnly)
    {
        measure.SetLength(measure.Length + RenderedLength(contentOnly));
        measure.Seek(0, SeekOrigin.End);
    }

    /// <summary>The exact number of bytes <see cref="Render"/> writes.</summary>
    private int RenderedLength(bool contentOnly)
    {
        var size = _length + _shape.BareLineFeeds;
        if (!contentOnly)
        {
            foreach (var header in Headers)
            {
                size += header.RawField.Length + 1 + CrlfLength(header.RawValue);
            }

            size += Crlf.Length;
        }

        return size;
    }

    /// <summary>The length of the text once every LF without a CR before it is made CRLF.</summary>
    private static int CrlfLength(ReadOnlySpan<byte> text)
    {
        var length = text.Length;
        for (var lf = text.IndexOf((byte)'\n'); lf >= 0; lf = text.IndexOf((byte)'\n'))
        {
            if (lf == 0 || text[lf - 1] != '\r')
            {
                length++;
            }

            text = text[(lf + 1)..];
        }

        return length;
    }

    /// <summary>The part's headers, the blank line and the body, with CRLF line ends, in one pooled block.</summary>
    private byte[] Render(bool contentOnly, out int length)
    {
        var body = _buffer.AsSpan(0, _length);
        var block = ArrayPool<byte>.Shared.Rent(RenderedLength(contentOnly));
        var written = 0;
        if (!contentOnly)
        {
            foreach (var header in Headers)
            {
                header.RawField.CopyTo(block, written);
                written += header.RawField.Length;
                block[written++] = (byte)':';
                written += CopyWithCrlf(header.RawValue, block.AsSpan(written));
            }

            Crlf.CopyTo(block, written);
            written += Crlf.Length;
        }

        written += _shape.BareLineFeeds == 0 ? Copy(body, block.AsSpan(written)) : CopyWithCrlf(body, block.AsSpan(written));
        length = written;
        return block;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> target)
    {
        source.CopyTo(target);
        return source.Length;
    }

    /// <summary>Copies with every LF that has no CR before it made CRLF (what MimeKit's Unix2DosFilter does).</summary>
    private static int CopyWithCrlf(ReadOnlySpan<byte> source, Span<byte> target)
    {
        var written = 0;
        while (!source.IsEmpty)
        {
            var lf = source.IndexOf((byte)'\n');
            if (lf < 0)
            {
                source.CopyTo(target[written..]);
                return written + source.Length;
            }

            source[..lf].CopyTo(target[written..]);
            written += lf;
            if (lf == 0 ? written == 0 || target[written - 1] != '\r' : source[lf - 1] != '\r')
            {
                target[written++] = (byte)'\r';
            }

            target[written++] = (byte)'\n';
            source = source[(lf + 1)..];
        }

        return written;
    }

    private static bool HasBareCarriageReturn(string text)
    {
        for (var i = text.IndexOf('\r', StringComparison.Ordinal); i >= 0; i = text.IndexOf('\r', i + 1))
        {
            if (i + 1 == text.Length || text[i + 1] != '\n')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What one pass over the body found out.</summary>
    private readonly record struct Shape(bool Ascii, bool HasNul, bool HasFromLine, int LongestLine, int BareLineFeeds, bool EndsWithLineEnd)
    {
        private static ReadOnlySpan<byte> FromMarker => "From "u8;

        private static ReadOnlySpan<byte> LineFromMarker => "\nFrom "u8;

        public static Shape Of(ReadOnlySpan<byte> body)
        {
            var longest = 0;
            var bare = 0;
            var rest = body;
            while (true)
            {
                var lf = rest.IndexOf((byte)'\n');
                if (lf < 0)
                {
                    longest = Math.Max(longest, rest.Length);
                    break;
                }

                var line = lf;
                if (lf > 0 && rest[lf - 1] == '\r')
                {
                    line--;
                }
                else
                {
                    bare++;
                }

                longest = Math.Max(longest, line);
                rest = rest[(lf + 1)..];
            }

            return new Shape(
                System.Text.Ascii.IsValid(body),
                body.Contains((byte)0),
                body.StartsWith(FromMarker) || body.IndexOf(LineFromMarker) >= 0,
                longest,
                bare,
                !body.IsEmpty && body[^1] == '\n');
        }

        /// <summary>
        /// 7bit or 8bit when MimeKit's scan is certain to say so; null to let MimeKit decide. A line exactly at the
        /// limit goes to MimeKit too: its scan may count the CR of a CRLF that falls on a read boundary.
        /// </summary>
        public ContentEncoding? Best(EncodingConstraint constraint, int maxLineLength)
        {
            if (HasNul || HasFromLine || LongestLine >= maxLineLength)
            {
                return null;
            }

            if (Ascii)
            {
                return ContentEncoding.SevenBit;
            }

            return constraint == EncodingConstraint.SevenBit ? null : ContentEncoding.EightBit;
        }
    }
}
