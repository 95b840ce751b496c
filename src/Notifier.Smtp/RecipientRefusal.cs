using Notifier.Smtp.Messages;

namespace Notifier.Smtp;

/// <summary>A recipient the server refused, with its reply (e.g. 550 5.1.1 "no such user").</summary>
public sealed record RecipientRefusal(Mailbox Recipient, int Code, string? EnhancedStatus, string Reply);
