namespace Notifier.Webhooks;

/// <summary>
/// The BitbucketWebhook function's log lines. Bodies are never logged (they are other people's data), and
/// neither is the secret or the signature.
/// </summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Bitbucket webhook {EventKey}: {Bytes} bytes forwarded to {Queue}")]
    public static partial void Forwarded(ILogger logger, string eventKey, int bytes, string queue);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Bitbucket webhook refused (401): {Reason}")]
    public static partial void Unauthorized(ILogger logger, string reason);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Bitbucket webhook: diagnostics:ping (Test connection) answered")]
    public static partial void Ping(ILogger logger);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Information, Message = "Bitbucket webhook {EventKey} ignored: Notifier mails only about pr:* and repo:* events")]
    public static partial void Ignored(ILogger logger, string eventKey);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning, Message = "Bitbucket webhook refused ({Status}): {Reason}")]
    public static partial void BadRequest(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Warning,
        Message = "Bitbucket__AllowUnsignedWebhooks is true: the BitbucketWebhook function accepts requests without a signature, so anyone with the function key can send events")]
    public static partial void UnsignedAllowed(ILogger logger);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Information,
        Message = "Bitbucket__WebhookSecret is not set: the BitbucketWebhook function refuses every request (401) until it is; see docs/bitbucket.md")]
    public static partial void NoSecret(ILogger logger);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Error,
        Message = "Bitbucket__WebhookSecret is a Key Vault reference that did not resolve: the BitbucketWebhook function refuses every request (401); check that the secret exists in the vault and that the app's identity may read it")]
    public static partial void SecretUnresolved(ILogger logger);
}
