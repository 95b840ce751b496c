using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Notifier.Smtp.Client;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp.Diagnostics;

/// <summary>
/// Runs one SMTP session stage by stage for <c>notifier check-smtp</c> and <c>notifier send-test</c>,
/// reporting each stage through <see cref="IProgress{T}"/> as it finishes. SMTP failures never throw: the
/// report carries the failed stage and the <see cref="SmtpException"/> (message and hint for the admin).
/// Only cancellation throws. Credentials and AUTH payloads never appear in the report.
/// </summary>
public sealed class SmtpProbe
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ISmtpCredentialProvider? _credentials;

    /// <param name="logger">Protocol log (never with credentials).</param>
    /// <param name="time">Clock for the per-stage durations in <see cref="SmtpStageResult.Elapsed"/>.</param>
    /// <param name="credentials">Where credentials come from; <c>Mail__Username</c>/<c>Mail__Password</c> when null.</param>
    public SmtpProbe(ILogger<SmtpProbe>? logger = null, TimeProvider? time = null, ISmtpCredentialProvider? credentials = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _credentials = credentials;
    }

    /// <summary>Connect, TLS, EHLO and AUTH as configured, then QUIT; nothing is sent.</summary>
    public Task<SmtpProbeReport> CheckAsync(MailOptions options, IProgress<SmtpStageResult>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(options, null, [], null, progress, cancellationToken);

    /// <summary>Every stage, sending <paramref name="message"/> (envelope from its From and recipients).</summary>
    public async Task<SmtpProbeReport> SendTestAsync(MailOptions options, EmailMessage message, IProgress<SmtpStageResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var mime = MimeMessageBuilder.Build(message);
        return await RunAsync(options, message.From, message.Recipients, mime, progress, cancellationToken);
    }

    internal async Task<SmtpProbeReport> RunAsync(
        MailOptions options, Mailbox? from, IReadOnlyList<Mailbox> recipients, MimeMessage? content,
        IProgress<SmtpStageResult>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stages = new List<SmtpStageResult>();
        var since = _time.GetTimestamp();
        void Report(SmtpStageResult stage)
        {
            var now = _time.GetTimestamp();
            stage = stage with { Elapsed = _time.GetElapsedTime(since, now) };
            since = now;
            stages.Add(stage);
            progress?.Report(stage);
        }

        var problems = MailOptionsValidator.Problems(options);
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            problems = [.. problems, "Mail__Host is empty (messages go to the outbox folder): set Mail__Host to check a mail server."];
        }

        if (problems.Count > 0)
        {
            return new SmtpProbeReport
            {
                Stages = stages,
                FailedStage = SmtpStage.Connect,
                Error = new SmtpException("the mail settings are invalid: " + string.Join(" ", problems), "fix the settings named above; nothing was sent"),
            };
        }

        var validator = new CertificateValidator(TrustedCertificates.Load(options, out _));
        var credentials = _credentials ?? new OptionsCredentialProvider(options);
        SmtpSession? connection = null;
        SendResult? sent = null;
        SmtpException? error = null;
        SmtpStage? failed = null;
        try
        {
            connection = new SmtpSession(options, validator, _logger);
            await connection.EstablishAsync(await CredentialReader.ReadAsync(credentials, refresh: false, cancellationToken), Report, cancellationToken);
            if (from is not null && content is not null)
            {
                sent = await connection.SendAsync(content, from, recipients, Report, cancellationToken);
            }

            var bye = await connection.QuitAsync(cancellationToken);
            Report(new(SmtpStage.Quit, true, "session closed", bye));
        }
        catch (SmtpException e)
        {
            failed = connection?.Stage ?? SmtpStage.Connect;
            error = e;
            var reply = (e as SmtpCommandException)?.Reply;
            Report(new(failed.Value, false, e.Hint is null ? e.Message : $"{e.Message} ({e.Hint})", reply));
            if (connection is not null)
            {
                await connection.QuitAsync(CancellationToken.None);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        return new SmtpProbeReport
        {
            Stages = stages,
            Greeting = connection?.Greeting,
            Tls = connection?.TlsInfo,
            Extensions = connection?.Extensions ?? [],
            AuthMechanismsOffered = connection?.AuthMechanismNames ?? [],
            AuthMechanismUsed = connection?.AuthMechanismUsed,
            Warnings = connection is { UnencryptedFallback: true }
                ? [$"{options.Host}:{options.EffectivePort} does not offer STARTTLS, so with Mail__Tls=IfAvailable mail goes over the network unencrypted: enable STARTTLS on the server, or set Mail__Tls=Always to refuse to send without it"]
                : [],
            SendResult = sent,
            FailedStage = failed,
            Error = error,
        };
    }
}
