namespace Notifier.Smtp.Resilience;

/// <summary>
/// Nothing was tried: the mail server failed to connect several times in a row, so for a cool-down every send
/// fails at once with the last failure's reason, marked as fast-failed, instead of waiting for the same
/// timeout again.
/// </summary>
public sealed class SmtpCircuitOpenException : SmtpProtocolException
{
    public SmtpCircuitOpenException(string message, string? hint, DateTimeOffset retryAt, Exception? innerException = null)
        : base(message, hint, innerException)
    {
        RetryAt = retryAt;
    }

    /// <summary>When the server is tried again.</summary>
    public DateTimeOffset RetryAt { get; }
}
