using Notifier.KeyVault;
using Notifier.Settings;
using Notifier.Smtp;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Messages;

namespace Notifier.Mail;

/// <summary>
/// The admin's checks (<c>/api/mail/test</c>, <c>notifier send-test</c>, <c>notifier check-smtp</c>): settings
/// first, then the credentials from Key Vault or the OAuth2 identity (so "the vault could not be read" or "no
/// token could be had" is said plainly rather than as an authentication failure), then the staged SMTP
/// conversation through <see cref="SmtpProbe"/>.
/// </summary>
public sealed class MailTester
{
    private readonly NotifierSettings _settings;
    private readonly SmtpProbe _probe;
    private readonly IMailTransport _transport;
    private readonly ISmtpCredentialProvider? _credentials;
    private readonly TimeProvider _timeProvider;

    public MailTester(NotifierSettings settings, SmtpProbe probe, IMailTransport transport, TimeProvider timeProvider, ISmtpCredentialProvider? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _settings = settings;
        _probe = probe;
        _transport = transport;
        _timeProvider = timeProvider;
        _credentials = credentials;
    }

    /// <summary>Sends a test email to <paramref name="to"/>, reporting each stage to <paramref name="progress"/>.</summary>
    public async Task<MailTestOutcome> SendTestAsync(string? to, IProgress<SmtpStageResult>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!Mailbox.TryParse(to, out var recipient))
        {
            return new MailTestOutcome(MailTestKind.BadRequest, null,
                string.IsNullOrWhiteSpace(to) ? "no recipient was given" : $"'{to}' is not an email address",
                "give one address, e.g. {\"to\": \"admin@example.com\"} or --to admin@example.com");
        }

        if (Precheck() is { } problem)
        {
            return problem;
        }

        var message = TestEmail.Create(_settings, recipient!, _timeProvider.GetUtcNow());
        if (string.IsNullOrWhiteSpace(_settings.Mail.Host))
        {
            await _transport.SendAsync(message, cancellationToken);
            return new MailTestOutcome(MailTestKind.WrittenToOutbox, null, null,
                "Mail__Host is empty, so the test email was written as an .eml file instead of sent; set Mail__Host to send it",
                Path.GetFullPath(_settings.Mail.OutboxDirectory));
        }

        if (await ReadCredentialsAsync(cancellationToken) is { } unreadable)
        {
            return unreadable;
        }

        var report = await _probe.SendTestAsync(_settings.Mail, message, progress, cancellationToken);
        return FromReport(report);
    }

    /// <summary>Runs every stage short of sending (banner, extensions, TLS and certificate, AUTH).</summary>
    public async Task<MailTestOutcome> CheckAsync(IProgress<SmtpStageResult>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Precheck() is { } problem)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(_settings.Mail.Host))
        {
            return new MailTestOutcome(MailTestKind.SettingsInvalid, null, "Mail__Host is empty, so there is no mail server to check",
                "set Mail__Host (and Mail__Port, Mail__Protocol, Mail__Tls) to the server Bitbucket would use");
        }

        if (await ReadCredentialsAsync(cancellationToken) is { } unreadable)
        {
            return unreadable;
        }

        return FromReport(await _probe.CheckAsync(_settings.Mail, progress, cancellationToken));
    }

    private MailTestOutcome? Precheck() =>
        _settings.IsValid ? null : new MailTestOutcome(MailTestKind.SettingsInvalid, null, string.Join(" ", _settings.Problems), "fix the settings named above and restart");

    private async Task<MailTestOutcome?> ReadCredentialsAsync(CancellationToken cancellationToken)
    {
        if (_credentials is null)
        {
            return null;
        }

        try
        {
            await _credentials.GetCredentialsAsync(refresh: false, cancellationToken);
            return null;
        }
        catch (MailCredentialsUnavailableException ex)
        {
            return new MailTestOutcome(MailTestKind.CredentialsUnavailable, null, ex.Message, ex.Hint);
        }
    }

    private static MailTestOutcome FromReport(SmtpProbeReport report) =>
        report.Succeeded
            ? new MailTestOutcome(MailTestKind.Succeeded, report, null, null)
            : new MailTestOutcome(report.Error is MailCredentialsUnavailableException ? MailTestKind.CredentialsUnavailable : MailTestKind.ServerFailed,
                report, report.Error!.Message, report.Error.Hint);
}
