using Notifier.Mail;
using Notifier.Settings;
using Notifier.Smtp.Diagnostics;

namespace Notifier.Cli;

/// <summary>Prints the stages of send-test and check-smtp as they happen, then the details and any error with its hint.</summary>
internal sealed class MailTestPrinter(TextWriter output) : IProgress<SmtpStageResult>
{
    public void Report(SmtpStageResult value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mark = value.Succeeded ? "ok  " : "FAIL";
        output.WriteLine($"[{mark}] {MailTestReportDto.StageName(value.Stage),-7} {value.Summary}");
        if (value.ServerReply is { Length: > 0 } reply)
        {
            output.WriteLine($"               server: {reply}");
        }
    }

    /// <summary>Says where it connects before the first wait, which can last up to Mail__ConnectTimeout.</summary>
    public async Task PrintConnectingAsync(IServiceProvider services)
    {
        var mail = services.GetRequiredService<NotifierSettings>().Mail;
        if (!string.IsNullOrWhiteSpace(mail.Host))
        {
            await output.WriteLineAsync($"connecting to {mail.Host}:{mail.EffectivePort}…");
        }
    }

    public void PrintOutcome(MailTestOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Report is { } report)
        {
            if (report.Greeting is { } greeting)
            {
                output.WriteLine($"banner:      {greeting}");
            }

            if (report.Extensions.Count > 0)
            {
                output.WriteLine($"extensions:  {string.Join(", ", report.Extensions)}");
            }

            if (report.Tls is { } tls)
            {
                output.WriteLine($"tls:         {tls.ProtocolName}, {tls.CipherSuite}");
                output.WriteLine($"certificate: {tls.Subject} (issuer {tls.Issuer}, valid until {tls.NotAfter:yyyy-MM-dd}, SHA-256 {tls.Sha256Fingerprint})");
            }

            if (report.AuthMechanismsOffered.Count > 0)
            {
                output.WriteLine($"auth:        offered {string.Join(", ", report.AuthMechanismsOffered)}; used {report.AuthMechanismUsed ?? "none"}");
            }

            foreach (var warning in report.Warnings)
            {
                output.WriteLine($"warning:     {warning}");
            }

            if (report.SendResult is { } sent)
            {
                output.WriteLine($"accepted:    {string.Join(", ", sent.Accepted.Select(a => a.Address))}; server replied {sent.ServerReply}");
            }
        }

        if (outcome.OutboxPath is { } outbox)
        {
            output.WriteLine($"written to:  {outbox}");
        }

        if (outcome.Kind == MailTestKind.CredentialsUnavailable && outcome.Error is { } vaultError)
        {
            // One line that names the vault, the secret and the fix: what an admin greps a log for.
            output.WriteLine(outcome.Hint is { } fix ? $"error:       {vaultError}; fix: {fix}" : $"error:       {vaultError}");
            return;
        }

        if (outcome.Error is { } error)
        {
            output.WriteLine($"error:       {error}");
        }

        if (outcome.Hint is { } hint)
        {
            output.WriteLine($"what to do:  {hint}");
        }
    }
}
