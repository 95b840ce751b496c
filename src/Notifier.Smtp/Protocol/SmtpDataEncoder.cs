namespace Notifier.Smtp.Protocol;

/// <summary>
/// Turns message bytes into the DATA payload (RFC 5321 §4.5.2): every line break becomes CRLF (bare CR and
/// bare LF too, since servers treat them inconsistently and some reject them), a line starting with '.' gets
/// one more '.', and the payload ends with CRLF "." CRLF.
/// </summary>
internal static class SmtpDataEncoder
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static void Encode(ReadOnlySpan<byte> message, PooledBufferWriter output)
    {
        var rest = message;
        var atLineStart = true;
        while (!rest.IsEmpty)
        {
            if (atLineStart && rest[0] == (byte)'.')
            {
                output.Write("."u8);
            }

            var lineBreak = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (lineBreak < 0)
            {
                output.Write(rest);
                atLineStart = false;
                break;
            }

            output.Write(rest[..lineBreak]);
            output.Write(Crlf);
            if (rest[lineBreak] == (byte)'\r' && lineBreak + 1 < rest.Length && rest[lineBreak + 1] == (byte)'\n')
            {
                lineBreak++;
            }

            rest = rest[(lineBreak + 1)..];
            atLineStart = true;
        }

        if (!atLineStart)
        {
            output.Write(Crlf);
        }

        output.Write(".\r\n"u8);
    }
}
