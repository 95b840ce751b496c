using Notifier.Smtp.Diagnostics;

namespace Notifier.Mail;

/// <summary>The result of a test email or an SMTP check: the staged report and, when it failed, why and what to change.</summary>
public sealed record MailTestOutcome(MailTestKind Kind, SmtpProbeReport? Report, string? Error, string? Hint, string? OutboxPath = null)
{
    public bool Succeeded => Kind is MailTestKind.Succeeded or MailTestKind.WrittenToOutbox;

    /// <summary>The HTTP status for <c>/api/mail/test</c>.</summary>
    public int HttpStatus => Kind switch
    {
        MailTestKind.Succeeded or MailTestKind.WrittenToOutbox => 200,
        MailTestKind.BadRequest => 400,
        MailTestKind.SettingsInvalid => 500,
        MailTestKind.CredentialsUnavailable => 503,
        _ => 502,
    };
}
