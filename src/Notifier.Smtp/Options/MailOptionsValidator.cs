using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp.Options;

/// <summary>
/// Checks the mail settings as a whole and lists every problem at once, each naming the setting to fix.
/// Decisions: <c>Mail__Tls</c> only matters for <c>Mail__Protocol=Smtp</c>; with <c>Smtps</c> the connection is
/// always encrypted, so <c>Always</c> and <c>IfAvailable</c> are accepted as consistent, but <c>Tls=None</c>
/// ("never encrypt") contradicts SMTPS and is an error. Credentials with <c>Tls=None</c> and
/// <c>AllowPlaintextAuth=false</c> are an error too: the password could never be sent.
/// </summary>
public sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    private const int MaxPooledConnections = 64;

    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem, each a sentence naming the setting and the fix; empty when the settings are usable.</summary>
    public static IReadOnlyList<string> Problems(MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var hasHost = !string.IsNullOrWhiteSpace(options.Host);

        if (hasHost)
        {
            CheckHost(options.Host!.Trim(), problems);
        }
        else if (string.IsNullOrWhiteSpace(options.OutboxDirectory))
        {
            problems.Add("Mail__OutboxDirectory is empty while Mail__Host is empty: set Mail__Host to send mail, or Mail__OutboxDirectory to a folder for .eml files.");
        }

        if (options.Port is { } port && port is < 1 or > 65535)
        {
            problems.Add($"Mail__Port={port.ToString(CultureInfo.InvariantCulture)} is not a TCP port: use 1–65535 (25 or 587 for Mail__Protocol=Smtp, 465 for Smtps), or leave it empty for the default.");
        }

        if (!Enum.IsDefined(options.Protocol))
        {
            problems.Add("Mail__Protocol must be Smtp or Smtps.");
        }

        if (!Enum.IsDefined(options.Tls))
        {
            problems.Add("Mail__Tls must be None, IfAvailable or Always.");
        }
        else if (options.Protocol == MailProtocol.Smtps && options.Tls == MailTls.None)
        {
            problems.Add("Mail__Tls=None contradicts Mail__Protocol=Smtps, which encrypts from the first byte: remove Mail__Tls (or set it to Always), or set Mail__Protocol=Smtp to send unencrypted.");
        }

        if (!Enum.IsDefined(options.Authentication))
        {
            problems.Add("Mail__Authentication must be Auto, Password or OAuth2.");
        }
        else if (options.Authentication == MailAuthentication.OAuth2)
        {
            MailOAuth2Validator.Check(options, hasHost, problems);
        }
        else
        {
            if (MailOAuth2Validator.Configured(options.OAuth2) is { } stray)
            {
                problems.Add($"{stray} is set but Mail__Authentication={options.Authentication}: set Mail__Authentication=OAuth2 to sign in with a token, or remove {stray}.");
            }

            CheckPassword(options, hasHost, problems);
        }

        if (hasHost)
        {
            if (string.IsNullOrWhiteSpace(options.From))
            {
                problems.Add("Mail__From is required when Mail__Host is set, e.g. Mail__From=\"Code Review <noreply@example.com>\".");
            }
            else if (!Mailbox.TryParse(options.From, out _))
            {
                problems.Add($"Mail__From=\"{Printable(options.From)}\" is not an email address: use name@domain or \"Display Name <name@domain>\".");
            }
        }

        CheckTimeout("Mail__ConnectTimeout", options.ConnectTimeout, problems);
        CheckTimeout("Mail__CommandTimeout", options.CommandTimeout, problems);

        if (options.MaxConnections is < 1 or > MaxPooledConnections)
        {
            problems.Add($"Mail__MaxConnections={options.MaxConnections.ToString(CultureInfo.InvariantCulture)} is out of range: use 1–{MaxPooledConnections} (default 4).");
        }

        if (!string.IsNullOrWhiteSpace(options.TrustedCertificatesPath) || !string.IsNullOrWhiteSpace(options.TrustedCertificates))
        {
            TrustedCertificates.Load(options, out var error);
            if (error is not null)
            {
                problems.Add(error);
            }
        }

        return problems;
    }

    private static void CheckPassword(MailOptions options, bool hasHost, List<string> problems)
    {
        var hasUser = !string.IsNullOrEmpty(options.Username);
        var hasPassword = !string.IsNullOrEmpty(options.Password);
        if (hasUser != hasPassword)
        {
            problems.Add(hasUser
                ? "Mail__Username is set but Mail__Password is empty: set both for AUTH, or clear both to send anonymously."
                : "Mail__Password is set but Mail__Username is empty: set both for AUTH, or clear both to send anonymously.");
        }
        else if (hasUser && hasHost && options.Protocol == MailProtocol.Smtp && options.Tls == MailTls.None && !options.AllowPlaintextAuth)
        {
            problems.Add("Mail__Username/Mail__Password are set but Mail__Tls=None and Mail__AllowPlaintextAuth=false, so the password could never be sent: set Mail__Tls=Always (STARTTLS), or Mail__AllowPlaintextAuth=true on a trusted network.");
        }
    }

    private static void CheckHost(string host, List<string> problems)
    {
        if (host.Contains("://", StringComparison.Ordinal))
        {
            problems.Add($"Mail__Host=\"{Printable(host)}\" must be a host name or IP address without a scheme, e.g. mail.example.com; choose SMTP or SMTPS with Mail__Protocol.");
        }
        else if (host.Count(c => c == ':') == 1 && !IPAddress.TryParse(host, out _))
        {
            problems.Add($"Mail__Host=\"{Printable(host)}\" contains a port: put the host in Mail__Host and the port in Mail__Port.");
        }
        else if (host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '@'))
        {
            problems.Add($"Mail__Host=\"{Printable(host)}\" is not a host name or IP address.");
        }
    }

    private static void CheckTimeout(string setting, TimeSpan value, List<string> problems)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{setting}={value.ToString("c", CultureInfo.InvariantCulture)} must be a positive TimeSpan, e.g. 00:00:30.");
        }
        else if (value > TimeSpan.FromHours(1))
        {
            problems.Add($"{setting}={value.ToString("c", CultureInfo.InvariantCulture)} is longer than an hour: use a value such as 00:01:00 so a dead server is noticed.");
        }
    }

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? '?' : c));
}
