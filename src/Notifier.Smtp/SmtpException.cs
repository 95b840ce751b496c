namespace Notifier.Smtp;

/// <summary>
/// Nothing was sent. The message is written for an admin: what happened and, in <see cref="Hint"/>, what to
/// change. Subtypes distinguish a broken conversation from a server that said no; callers that only need to
/// drop the notification catch this type.
/// </summary>
public class SmtpException : Exception
{
    public SmtpException(string message, string? hint = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Hint = hint;
    }

    /// <summary>What the admin should change, e.g. "set Mail__Protocol=Smtps"; null when there is nothing to add.</summary>
    public string? Hint { get; }
}
