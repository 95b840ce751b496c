namespace Notifier.Webhooks;

/// <summary>The result of checking a webhook request's <c>X-Hub-Signature</c>.</summary>
internal enum SignatureCheck
{
    /// <summary>The signature matches the body and the configured secret.</summary>
    Valid,

    /// <summary>No signature, and unsigned webhooks are allowed.</summary>
    UnsignedAllowed,

    /// <summary>The secret setting is a Key Vault reference the platform could not resolve.</summary>
    SecretUnresolved,

    /// <summary>No secret is configured and unsigned webhooks are not allowed.</summary>
    NoSecretConfigured,

    /// <summary>The request carries no signature.</summary>
    Missing,

    /// <summary>The header is not <c>sha256=</c> and 64 hex digits.</summary>
    Malformed,

    /// <summary>A well-formed signature of another secret or another body.</summary>
    Wrong,
}
