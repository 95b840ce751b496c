using Notifier.Smtp.Diagnostics;

namespace Notifier.Mail;

/// <summary>The JSON body of <c>/api/mail/test</c> (camelCase): the staged report, and when not sent the error and hint.</summary>
internal sealed record MailTestReportDto(
    bool Sent,
    string Outcome,
    string? To,
    string? Server,
    IReadOnlyList<MailTestStageDto> Stages,
    MailTestTlsDto? Tls,
    string? AuthMechanism,
    string? ServerReply,
    string? Outbox,
    string? Error,
    string? Hint,
    IReadOnlyList<string> Warnings)
{
    public static MailTestReportDto From(MailTestOutcome outcome, string? to, string? server)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var report = outcome.Report;
        return new MailTestReportDto(
            outcome.Succeeded,
            KindName(outcome.Kind),
            to,
            server,
            report?.Stages.Select(s => new MailTestStageDto(StageName(s.Stage), s.Succeeded, s.Summary, s.ServerReply)).ToList() ?? [],
            report?.Tls is { } tls ? new MailTestTlsDto(tls.ProtocolName, tls.Subject, tls.Issuer, tls.NotAfter, tls.Sha256Fingerprint) : null,
            report?.AuthMechanismUsed,
            report?.SendResult?.ServerReply,
            outcome.OutboxPath,
            outcome.Error,
            outcome.Hint,
            report?.Warnings ?? []);
    }

    internal static string KindName(MailTestKind kind) => kind switch
    {
        MailTestKind.Succeeded => "sent",
        MailTestKind.WrittenToOutbox => "written-to-outbox",
        MailTestKind.BadRequest => "bad-request",
        MailTestKind.SettingsInvalid => "settings-invalid",
        MailTestKind.CredentialsUnavailable => "credentials-unavailable",
        _ => "server-failed",
    };

    internal static string StageName(SmtpStage stage) => stage switch
    {
        SmtpStage.MailFrom => "MAIL",
        SmtpStage.RcptTo => "RCPT",
        SmtpStage.Ehlo => "EHLO",
        SmtpStage.Auth => "AUTH",
        SmtpStage.Data => "DATA",
        SmtpStage.Quit => "QUIT",
        SmtpStage.Tls => "TLS",
        _ => "connect",
    };
}

/// <summary>One stage of the report.</summary>
internal sealed record MailTestStageDto(string Stage, bool Ok, string Summary, string? ServerReply);

/// <summary>The negotiated TLS session.</summary>
internal sealed record MailTestTlsDto(string Protocol, string Subject, string Issuer, DateTimeOffset NotAfter, string Sha256Fingerprint);
