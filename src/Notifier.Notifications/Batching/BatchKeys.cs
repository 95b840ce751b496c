using System.Security.Cryptography;
using System.Text;

namespace Notifier.Notifications.Batching;

/// <summary>
/// Storage keys made of hashes: addresses, repository names and event ids may hold characters table keys
/// refuse (<c>/ \ # ?</c>), and a hash keeps addresses out of key names.
/// </summary>
public static class BatchKeys
{
    /// <summary>The digest key of (recipient, thread): 32 hex characters.</summary>
    public static string For(string recipientAddress, string thread)
    {
        ArgumentNullException.ThrowIfNull(recipientAddress);
        ArgumentNullException.ThrowIfNull(thread);
        return Hash($"{recipientAddress.ToLowerInvariant()}\n{thread}", 16);
    }

    /// <summary>A key for any text: lowercase hex of its SHA-256, cut to <paramref name="bytes"/> bytes.</summary>
    public static string Hash(string value, int bytes = 32)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash[..Math.Clamp(bytes, 1, 32)]);
    }
}
