using Microsoft.Extensions.Logging;

namespace Notifier.Smtp.Logging;

/// <summary>
/// Every log line of the SMTP client (event ids 2000–2099). The protocol log never carries AUTH payloads:
/// the session's protocol logger writes a fixed placeholder for them instead of the bytes sent.
/// </summary>
internal static partial class SmtpLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Trace, Message = "C: {Line}")]
    public static partial void ClientLine(ILogger logger, string line);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Trace, Message = "S: {Line}")]
    public static partial void ServerLine(ILogger logger, string line);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Connected to {Host}:{Port} ({Protocol}); greeting {Greeting}")]
    public static partial void Connected(ILogger logger, string host, int port, string protocol, string greeting);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "TLS with {Host}: {TlsProtocol} {Cipher}, certificate {Subject} (SHA-256 {Fingerprint})")]
    public static partial void TlsEstablished(ILogger logger, string host, string tlsProtocol, string cipher, string subject, string fingerprint);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Authenticated to {Host} with {Mechanism}")]
    public static partial void Authenticated(ILogger logger, string host, string mechanism);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Message accepted by {Host} for {Accepted} recipient(s), {Refused} refused: {Reply}")]
    public static partial void MessageAccepted(ILogger logger, string host, int accepted, int refused, string reply);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Server {Host} refused recipient {Recipient}: {Reply}")]
    public static partial void RecipientRefused(ILogger logger, string host, string recipient, string reply);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Pooled connection to {Host} is gone ({Reason}); retrying on a new connection")]
    public static partial void Reconnecting(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Server {Host} refused the credentials; asking the credential provider for fresh ones and retrying once")]
    public static partial void RefreshingCredentials(ILogger logger, string host);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Closed idle connection to {Host} after {Idle}")]
    public static partial void IdleClosed(ILogger logger, string host, TimeSpan idle);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Dropping connection to {Host}: {Reason}")]
    public static partial void Dropped(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "QUIT to {Host} failed; closing anyway: {Reason}")]
    public static partial void QuitFailed(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "{Host}:{Port} does not offer STARTTLS; with Mail__Tls=IfAvailable mail goes unencrypted")]
    public static partial void Unencrypted(ILogger logger, string host, int port);
}
