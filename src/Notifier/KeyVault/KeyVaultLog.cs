
namespace Notifier.KeyVault;

/// <summary>Key Vault log lines; they name the vault, never a secret's value.</summary>
internal static partial class KeyVaultLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Read the mail credentials from Key Vault {VaultUri}")]
    public static partial void Read(ILogger logger, Uri vaultUri);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not refresh the mail credentials from Key Vault {VaultUri}; using the previous ones: {Reason}")]
    public static partial void RefreshFailedUsingPrevious(ILogger logger, Uri vaultUri, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "The mail server refused the credentials from Key Vault {VaultUri}; reading them again")]
    public static partial void Invalidated(ILogger logger, Uri vaultUri);
}
