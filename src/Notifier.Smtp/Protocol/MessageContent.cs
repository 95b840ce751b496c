using System.Buffers;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Protocol;

/// <summary>
/// The bytes of a message as the MIME writer produces them. Kept behind this seam so the transport does not
/// care who writes MIME.
/// </summary>
internal static class MessageContent
{
    // Until the MIME writer (Notifier.Smtp.Mime.MimeWriter, issue 2 §3) is merged, SendAsync(EmailMessage)
    // cannot produce bytes; SendRawAsync works. Replaced by MimeWriter.WriteTo when it lands.
    public static void Write(EmailMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        throw new NotSupportedException("The MIME writer (Notifier.Smtp.Mime.MimeWriter) is not merged yet.");
    }
}
