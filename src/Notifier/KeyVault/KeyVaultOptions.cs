namespace Notifier.KeyVault;

/// <summary>Settings <c>KeyVault__*</c> (DESIGN §3): where the mail username and password (or the OAuth2 application's client secret) live.</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>The vault, e.g. <c>https://notifier-kv.vault.azure.net/</c>; null: credentials come from Mail__*.</summary>
    public Uri? Uri { get; set; }

    public string UsernameSecret { get; set; } = "mail-username";

    public string PasswordSecret { get; set; } = "mail-password";

    /// <summary>The Entra application's client secret, read when <c>Mail__OAuth2__TenantId</c>/<c>ClientId</c> are set.</summary>
    public string ClientSecretSecret { get; set; } = "mail-client-secret";

    /// <summary>
    /// How long secrets read from the vault are used before they are read again, so a rotated password is
    /// picked up without a restart (an authentication failure re-reads them at once).
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    public bool IsEnabled => Uri is not null;
}
