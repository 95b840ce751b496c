using System.Buffers;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Mime;

namespace Notifier.Smtp.Protocol;

/// <summary>
/// The bytes of a message as the MIME writer produces them. Kept behind this seam so the transport does not
/// care who writes MIME.
/// </summary>
internal static class MessageContent
{
    public static void Write(EmailMessage message, IBufferWriter<byte> output) => MimeWriter.WriteTo(message, output);
}
