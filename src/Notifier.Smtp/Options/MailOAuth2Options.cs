namespace Notifier.Smtp.Options;

/// <summary>
/// <c>Mail__OAuth2__*</c>: where the access token for <see cref="MailAuthentication.OAuth2"/> comes from. With
/// neither <see cref="TenantId"/> nor <see cref="ClientId"/> the app's managed identity asks for it; with both,
/// an Entra application does, its client secret read from Key Vault.
/// </summary>
public sealed class MailOAuth2Options
{
    /// <summary>Exchange Online's scope for SMTP AUTH with application permissions.</summary>
    public const string DefaultScope = "https://outlook.office365.com/.default";

    /// <summary>The scope the token is requested for.</summary>
    public string Scope { get; set; } = DefaultScope;

    /// <summary>The Entra tenant (directory id or domain) of the application; empty: the managed identity.</summary>
    public string? TenantId { get; set; }

    /// <summary>The Entra application (client) id; empty: the managed identity.</summary>
    public string? ClientId { get; set; }

    /// <summary>True when an Entra application, not the managed identity, signs in.</summary>
    public bool UsesApplication => !string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId);
}
