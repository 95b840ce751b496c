using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Options;

/// <summary>
/// The checks for <c>Mail__Authentication=OAuth2</c>: the mailbox in <c>Mail__Username</c>, no password, a token
/// that is never sent in plaintext, and either the managed identity (no tenant, no client) or a whole Entra
/// application (tenant and client together).
/// </summary>
internal static class MailOAuth2Validator
{
    public static void Check(MailOptions options, bool hasHost, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(options.Username))
        {
            problems.Add("Mail__Authentication=OAuth2 needs the mailbox to send as in Mail__Username (the XOAUTH2 user), e.g. Mail__Username=notifier@contoso.com.");
        }
        else if (!Mailbox.TryParse(options.Username, out var mailbox) || !string.Equals(mailbox.Address, options.Username.Trim(), StringComparison.Ordinal))
        {
            problems.Add($"Mail__Username=\"{Printable(options.Username)}\" is not a mailbox address: with Mail__Authentication=OAuth2 it must be the address the token may send as, e.g. notifier@contoso.com.");
        }

        if (!string.IsNullOrEmpty(options.Password))
        {
            problems.Add("Mail__Password is set but Mail__Authentication=OAuth2 signs in with a token, not a password: remove Mail__Password.");
        }

        if (hasHost && options.Protocol == MailProtocol.Smtp && options.Tls == MailTls.None && !options.AllowPlaintextAuth)
        {
            problems.Add("Mail__Authentication=OAuth2 with Mail__Tls=None and Mail__AllowPlaintextAuth=false: the access token could never be sent. Set Mail__Tls=Always (STARTTLS), or Mail__AllowPlaintextAuth=true on a trusted network.");
        }

        var oauth = options.OAuth2;
        if (string.IsNullOrWhiteSpace(oauth.Scope) || !Uri.TryCreate(oauth.Scope, UriKind.Absolute, out _))
        {
            problems.Add($"Mail__OAuth2__Scope=\"{Printable(oauth.Scope ?? string.Empty)}\" is not a scope: use an absolute URI such as {MailOAuth2Options.DefaultScope} (the default, for Exchange Online).");
        }

        var hasTenant = !string.IsNullOrWhiteSpace(oauth.TenantId);
        var hasClient = !string.IsNullOrWhiteSpace(oauth.ClientId);
        if (hasTenant != hasClient)
        {
            problems.Add(hasTenant
                ? "Mail__OAuth2__TenantId is set but Mail__OAuth2__ClientId is empty: set both to sign in as an Entra application (its client secret read from Key Vault), or clear both to use the app's managed identity."
                : "Mail__OAuth2__ClientId is set but Mail__OAuth2__TenantId is empty: set both to sign in as an Entra application (its client secret read from Key Vault), or clear both to use the app's managed identity.");
        }

        if (oauth.TenantId is { } tenant && hasTenant && !Guid.TryParse(tenant, out _) && !IsDomainName(tenant))
        {
            problems.Add($"Mail__OAuth2__TenantId=\"{Printable(tenant)}\" is neither a directory (tenant) id nor a domain: copy the Directory (tenant) ID from the app registration's Overview page.");
        }

        if (oauth.ClientId is { } client && hasClient && !Guid.TryParse(client, out _))
        {
            problems.Add($"Mail__OAuth2__ClientId=\"{Printable(client)}\" is not an application (client) id: copy the Application (client) ID, a GUID, from the app registration's Overview page.");
        }
    }

    /// <summary>The first <c>Mail__OAuth2__*</c> setting that differs from its default, or null.</summary>
    public static string? Configured(MailOAuth2Options oauth) =>
        !string.IsNullOrWhiteSpace(oauth.TenantId) ? "Mail__OAuth2__TenantId"
        : !string.IsNullOrWhiteSpace(oauth.ClientId) ? "Mail__OAuth2__ClientId"
        : !string.Equals(oauth.Scope, MailOAuth2Options.DefaultScope, StringComparison.Ordinal) ? "Mail__OAuth2__Scope"
        : null;

    private static bool IsDomainName(string value) =>
        value.Contains('.', StringComparison.Ordinal)
        && value.Length <= 253
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? '?' : c));
}
