using System.Diagnostics.CodeAnalysis;

namespace Notifier.Webhooks;

/// <summary>Settings <c>Bitbucket__*</c>: how the BitbucketWebhook function checks who is calling.</summary>
public sealed class BitbucketOptions
{
    public const string SectionName = "Bitbucket";

    /// <summary>
    /// The secret of the Bitbucket webhook; requests must carry <c>X-Hub-Signature: sha256=HMAC(secret, body)</c>.
    /// In Azure a Key Vault reference, resolved by the platform. Never logged.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Accept requests without a signature (a webhook without a secret). Off by default.</summary>
    public bool AllowUnsignedWebhooks { get; set; }

    [MemberNotNullWhen(true, nameof(WebhookSecret))]
    public bool HasSecret => !string.IsNullOrEmpty(WebhookSecret) && !IsUnresolvedKeyVaultReference;

    /// <summary>
    /// The platform leaves a Key Vault reference it cannot resolve (secret missing, no access) in the setting as
    /// written. That text is public (it is in the template), so it must never serve as the secret.
    /// </summary>
    public bool IsUnresolvedKeyVaultReference =>
        WebhookSecret is { } value && value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}
