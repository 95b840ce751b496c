using Microsoft.Extensions.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;

namespace Notifier.Smtp.Diagnostics;

/// <summary>
/// Runs one SMTP session stage by stage for <c>notifier check-smtp</c> and <c>notifier send-test</c>,
/// reporting each stage as it finishes. Never throws <see cref="SmtpException"/>: failures are in the report.
/// </summary>
public sealed class SmtpProbe
{
    public SmtpProbe(ILogger<SmtpProbe>? logger = null, TimeProvider? time = null, ISmtpCredentialProvider? credentials = null)
    {
        _ = logger;
        _ = time;
        _ = credentials;
    }

    /// <summary>Connect, TLS, EHLO, AUTH and QUIT without sending anything.</summary>
    public Task<SmtpProbeReport> CheckAsync(MailOptions options, IProgress<SmtpStageResult>? progress = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Every stage, sending <paramref name="message"/>.</summary>
    public Task<SmtpProbeReport> SendTestAsync(MailOptions options, EmailMessage message, IProgress<SmtpStageResult>? progress = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
