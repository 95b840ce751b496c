namespace Notifier.Mail;

/// <summary>How a test email or SMTP check ended; mapped to HTTP statuses and exit codes at the edges.</summary>
public enum MailTestKind
{
    /// <summary>Sent (send-test) or every stage passed (check-smtp).</summary>
    Succeeded,

    /// <summary>No Mail__Host: the test email was written to the outbox folder.</summary>
    WrittenToOutbox,

    /// <summary>The request or the address is wrong.</summary>
    BadRequest,

    /// <summary>The settings are not usable.</summary>
    SettingsInvalid,

    /// <summary>The username and password could not be read from Key Vault.</summary>
    CredentialsUnavailable,

    /// <summary>The mail server could not be reached or said no.</summary>
    ServerFailed,
}
