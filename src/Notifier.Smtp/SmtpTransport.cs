using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MimeKit;
using Notifier.Smtp.Client;
using Notifier.Smtp.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Resilience;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp;

/// <summary>
/// Sends mail with MailKit over a bounded pool of SMTP sessions (<c>Mail__MaxConnections</c>, thread-safe). A
/// session is reused for the next message (MailKit sends RSET itself after a refused transaction). A pooled
/// session the server closed meanwhile (or that answered 421) is replaced by a new one and the message sent
/// again, as long as none of its content had been sent; a session that failed in any unexpected way is
/// discarded, never pooled again. Unused
/// connections are closed with QUIT after <see cref="IdleTimeout"/>, and all of them on dispose.
/// Credentials come from <c>Mail__Username</c>/<c>Mail__Password</c> unless an
/// <see cref="ISmtpCredentialProvider"/> is given; on 535 the provider is asked once more with
/// <c>refresh: true</c> and AUTH is retried once on a new connection.
/// </summary>
public sealed class SmtpTransport : IMailTransport, IAsyncDisposable
{
    private readonly MailOptions _options;
    private readonly string _host;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ISmtpCredentialProvider _credentials;
    private readonly ConnectionSlots _slots;
    private readonly ConcurrentStack<Idle> _idle = new();
    private readonly Lazy<CertificateValidator> _validator;
    private readonly ITimer _sweeper;
    private volatile bool _disposed;

    public SmtpTransport(MailOptions options, ILogger<SmtpTransport> logger, TimeProvider? time = null, ISmtpCredentialProvider? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Host is not { } host || string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("Mail__Host is empty: SmtpTransport needs a server (an empty host means the outbox transport).", nameof(options));
        }

        _options = options;
        _host = host;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _credentials = credentials ?? new OptionsCredentialProvider(options);
        _slots = new ConnectionSlots(Math.Clamp(options.MaxConnections, 1, 64));
        _validator = new Lazy<CertificateValidator>(() => CreateValidator(options));
        _sweeper = _time.CreateTimer(static state => (state as SmtpTransport)?.SweepIdle(), this, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>How long an unused pooled connection stays open before it is closed with QUIT (default 30 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections currently idle in the pool (for diagnostics and tests).</summary>
    public int IdleConnections => _idle.Count;

    public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Built (and checked for header injection) before any connection is taken; MimeKit writes it straight
        // to the connection, with 8bit bodies when the server offers 8BITMIME. Disposed when sent: MimeKit's
        // entities have finalizers, and leaving a handful per email to the finalizer thread cost the app
        // benchmark most of its throughput in GC time (bench/README-app.md).
        using var mime = MimeMessageBuilder.Build(message);
        return await SendMimeAsync(mime, message.From, message.Recipients, cancellationToken);
    }

    /// <summary>
    /// Opens one connection and leaves it idle in the pool, unless one is there already: the first message
    /// then skips connect, TLS and AUTH (and an OAuth2 token request). Closed like any idle connection when
    /// nothing uses it within <see cref="IdleTimeout"/>.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_idle.IsEmpty)
        {
            return;
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            // Messages may have come first and left a connection in the pool while this one waited for a slot.
            if (_idle.IsEmpty)
            {
                await ReturnAsync(await ConnectAsync(cancellationToken));
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _sweeper.DisposeAsync();
        var closing = new List<Task>();
        while (_idle.TryPop(out var idle))
        {
            closing.Add(idle.Connection.QuitAsync(CancellationToken.None));
        }

        await Task.WhenAll(closing);
    }

    /// <summary>Sends a MimeKit message to the given envelope; the benchmark calls this too.</summary>
    internal async Task<SendResult> SendMimeAsync(MimeMessage message, Mailbox from, IReadOnlyList<Mailbox> recipients, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var (connection, reused) = await RentAsync(cancellationToken);
                try
                {
                    var result = await connection.SendAsync(message, from, recipients, null, cancellationToken);
                    await ReturnAsync(connection);
                    return result;
                }
                catch (SmtpException e) when (reused && connection.IsBroken && !connection.PayloadSent)
                {
                    // The server closed the pooled connection while it sat idle (or said 421): nothing of
                    // this message was delivered, so it is safe to send it on another connection.
                    SmtpLog.Reconnecting(_logger, _host, e.Message);
                    await connection.DisposeAsync();
                }
                catch (SmtpException)
                {
                    await ReturnAsync(connection);
                    throw;
                }
                catch
                {
                    // Not one of ours: the session's state is unknown, so it never goes back to the pool.
                    SmtpLog.Dropped(_logger, _host, "it failed unexpectedly");
                    await connection.DisposeAsync();
                    throw;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<(SmtpSession Connection, bool Reused)> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryPop(out var idle))
        {
            var unused = _time.GetElapsedTime(idle.Since);
            if (unused < IdleTimeout && !idle.Connection.IsBroken)
            {
                return (idle.Connection, true);
            }

            SmtpLog.IdleClosed(_logger, _host, unused);
            await idle.Connection.QuitAsync(cancellationToken);
        }

        return (await ConnectAsync(cancellationToken), false);
    }

    private async Task<SmtpSession> ConnectAsync(CancellationToken cancellationToken)
    {
        var credentials = await CredentialReader.ReadAsync(_credentials, refresh: false, cancellationToken);
        try
        {
            return await OpenAsync(credentials, cancellationToken);
        }
        catch (SmtpAuthenticationException e) when (e.Code == SmtpReplyCode.AuthenticationInvalidCredentials)
        {
            // The secret may have been rotated since it was cached: ask once for fresh credentials.
            SmtpLog.RefreshingCredentials(_logger, _host);
            var fresh = await CredentialReader.ReadAsync(_credentials, refresh: true, cancellationToken);
            return await OpenAsync(fresh, cancellationToken);
        }
    }

    private async Task<SmtpSession> OpenAsync(SmtpCredentials? credentials, CancellationToken cancellationToken)
    {
        var connection = new SmtpSession(_options, _validator.Value, _logger);
        try
        {
            await connection.EstablishAsync(credentials, null, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.QuitAsync(CancellationToken.None);
            throw;
        }
    }

    private async Task ReturnAsync(SmtpSession connection)
    {
        if (connection.IsBroken)
        {
            SmtpLog.Dropped(_logger, _host, "the session is broken");
            await connection.DisposeAsync();
        }
        else if (_disposed || _idle.Count >= _options.MaxConnections)
        {
            await connection.QuitAsync(CancellationToken.None);
        }
        else
        {
            _idle.Push(new Idle(connection, _time.GetTimestamp()));
        }
    }

    /// <summary>Closes connections idle for longer than <see cref="IdleTimeout"/>, keeping the rest in order.</summary>
    internal void SweepIdle()
    {
        var keep = new List<Idle>();
        while (_idle.TryPop(out var idle))
        {
            var unused = _time.GetElapsedTime(idle.Since);
            if (unused >= IdleTimeout || idle.Connection.IsBroken || _disposed)
            {
                SmtpLog.IdleClosed(_logger, _host, unused);
                _ = idle.Connection.QuitAsync(CancellationToken.None);
            }
            else
            {
                keep.Add(idle);
            }
        }

        for (var i = keep.Count - 1; i >= 0; i--)
        {
            _idle.Push(keep[i]);
        }
    }

    private static CertificateValidator CreateValidator(MailOptions options)
    {
        var trusted = TrustedCertificates.Load(options, out var error);
        return error is null
            ? new CertificateValidator(trusted)
            : throw new SmtpException(error, "fix Mail__TrustedCertificatesPath or Mail__TrustedCertificates; nothing was sent");
    }

    private sealed record Idle(SmtpSession Connection, long Since);
}
