using System.Security.Cryptography;
using System.Text;

namespace Notifier.Webhooks;

/// <summary>
/// Bitbucket's webhook signature: <c>X-Hub-Signature: sha256=</c> and the lower-case hex HMAC-SHA256 of the
/// raw body, keyed with the webhook's secret (UTF-8).
/// </summary>
internal static class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature";

    private const string Prefix = "sha256=";

    /// <summary>Checks <paramref name="header"/> against <paramref name="body"/> in constant time.</summary>
    public static SignatureCheck Check(ReadOnlySpan<byte> body, string? header, BitbucketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsUnresolvedKeyVaultReference)
        {
            return SignatureCheck.SecretUnresolved;
        }

        if (string.IsNullOrEmpty(header))
        {
            return options.AllowUnsignedWebhooks ? SignatureCheck.UnsignedAllowed
                : options.HasSecret ? SignatureCheck.Missing
                : SignatureCheck.NoSecretConfigured;
        }

        // A signature that cannot be checked is refused even when unsigned requests are allowed: it means the
        // two sides disagree about the secret, which an admin must hear about.
        if (!options.HasSecret)
        {
            return SignatureCheck.NoSecretConfigured;
        }

        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!TryReadHex(header.AsSpan().Trim(), claimed))
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.WebhookSecret), body, actual);
        return CryptographicOperations.FixedTimeEquals(actual, claimed) ? SignatureCheck.Valid : SignatureCheck.Wrong;
    }

    /// <summary>The header value Bitbucket would send for this body and secret.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static bool TryReadHex(ReadOnlySpan<char> header, Span<byte> destination)
    {
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = header[Prefix.Length..];
        return hex.Length == destination.Length * 2
            && Convert.FromHexString(hex, destination, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == destination.Length;
    }
}
