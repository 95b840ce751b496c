namespace Notifier.OAuth2;

/// <summary>
/// OAuth2 token log lines; they name the scope, the identity and (3502) the mailbox, never a token or secret.
/// The reason in 3501 is Entra ID's or the vault's error text, as in a drop reason.
/// </summary>
internal static partial class OAuth2Log
{
    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "Got an OAuth2 access token for {Scope} from {Identity}, valid until {ExpiresOn:u} ({Minutes:F0} min)")]
    public static partial void TokenAcquired(ILogger logger, string scope, string identity, DateTimeOffset expiresOn, double minutes);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Warning, Message = "Could not renew the OAuth2 access token for {Scope} from {Identity}; using the current one until it expires: {Reason}")]
    public static partial void RenewalFailedUsingCurrent(ILogger logger, string scope, string identity, string reason);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "The mail server refused the OAuth2 token for {Scope} for the mailbox {Mailbox}; asking {Identity} for a new one")]
    public static partial void TokenRefused(ILogger logger, string scope, string mailbox, string identity);
}
