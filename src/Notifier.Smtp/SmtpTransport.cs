using Microsoft.Extensions.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;

namespace Notifier.Smtp;

/// <summary>
/// Sends mail over a bounded pool of SMTP connections (<c>Mail__MaxConnections</c>).
/// </summary>
public sealed class SmtpTransport : IMailTransport, IAsyncDisposable
{
    public SmtpTransport(MailOptions options, ILogger<SmtpTransport> logger, TimeProvider? time = null, ISmtpCredentialProvider? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _ = time;
        _ = credentials;
    }

    /// <summary>How long an unused pooled connection stays open before it is closed with QUIT.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
