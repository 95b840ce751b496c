using Notifier.Smtp.Messages;

namespace Notifier.Smtp;

/// <summary>What the server did with a message it accepted for at least one recipient.</summary>
/// <param name="Accepted">Recipients the server accepted.</param>
/// <param name="Refused">Recipients the server refused at RCPT, each with its reply.</param>
/// <param name="ServerReply">The reply to the end of DATA, e.g. <c>250 2.0.0 Ok: queued as 4ABC</c>.</param>
public sealed record SendResult(IReadOnlyList<Mailbox> Accepted, IReadOnlyList<RecipientRefusal> Refused, string ServerReply);
