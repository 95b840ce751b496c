using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Notifier.Smtp.Logging;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Mime;
using Notifier.Smtp.Options;
using Notifier.Smtp.Protocol;
using Notifier.Smtp.Tls;

namespace Notifier.Smtp;

/// <summary>
/// Sends mail over a bounded pool of SMTP connections (<c>Mail__MaxConnections</c>, thread-safe). A connection
/// is reused for the next message; when its previous transaction did not finish (a refusal, a failure after
/// DATA) the next one starts with RSET, pipelined with MAIL when the server offers PIPELINING. After a
/// completed DATA the server has already reset the transaction (RFC 5321 §4.1.1.4), so no RSET is spent
/// there. A pooled connection the server closed meanwhile (or that answered 421) is replaced by a new one and
/// the message sent again, as long as none of its content had been sent. Unused
/// connections are closed with QUIT after <see cref="IdleTimeout"/>, and all of them on dispose.
/// Credentials come from <c>Mail__Username</c>/<c>Mail__Password</c> unless an
/// <see cref="ISmtpCredentialProvider"/> is given; on 535 the provider is asked once more with
/// <c>refresh: true</c> and AUTH is retried once on a new connection.
/// </summary>
public sealed class SmtpTransport : IMailTransport, IAsyncDisposable
{
    private readonly MailOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ISmtpCredentialProvider _credentials;
    private readonly SmtpStreamFactory? _streamFactory;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<Idle> _idle = new();
    private readonly Lazy<CertificateValidator> _validator;
    private readonly ITimer _sweeper;
    private volatile bool _disposed;

    public SmtpTransport(MailOptions options, ILogger<SmtpTransport> logger, TimeProvider? time = null, ISmtpCredentialProvider? credentials = null)
        : this(options, (ILogger)logger, time, credentials, streamFactory: null)
    {
    }

    internal SmtpTransport(MailOptions options, ILogger logger, TimeProvider? time, ISmtpCredentialProvider? credentials, SmtpStreamFactory? streamFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            throw new ArgumentException("Mail__Host is empty: SmtpTransport needs a server (an empty host means the outbox transport).", nameof(options));
        }

        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _credentials = credentials ?? new OptionsCredentialProvider(options);
        _streamFactory = streamFactory;
        _slots = new SemaphoreSlim(Math.Clamp(options.MaxConnections, 1, 64));
        _validator = new Lazy<CertificateValidator>(() => CreateValidator(options));
        _sweeper = _time.CreateTimer(static state => ((SmtpTransport)state!).SweepIdle(), this, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>How long an unused pooled connection stays open before it is closed with QUIT (default 30 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections currently idle in the pool (for diagnostics and tests).</summary>
    public int IdleConnections => _idle.Count;

    public async Task<SendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Sized for the encoded bodies plus headers so a large message is written without regrowing the buffer.
        using var content = new PooledBufferWriter(4096 + (int)Math.Min(int.MaxValue / 2, (message.TextBody.Length + (long)(message.HtmlBody?.Length ?? 0)) * 11 / 10));
        MimeWriter.WriteTo(message, content);
        return await SendRawAsync(message.From, message.Recipients, content.WrittenMemory, cancellationToken);
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

    /// <summary>Sends message bytes as they are (the MIME writer's output); the benchmark calls this too.</summary>
    internal async Task<SendResult> SendRawAsync(Mailbox from, IReadOnlyList<Mailbox> recipients, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
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
                    var result = await connection.SendAsync(from, recipients, content, null, cancellationToken);
                    await ReturnAsync(connection);
                    return result;
                }
                catch (SmtpException e) when (reused && connection.IsBroken && !connection.PayloadSent)
                {
                    // The server closed the pooled connection while it sat idle (or said 421): nothing of
                    // this message was delivered, so it is safe to send it on another connection.
                    SmtpLog.Reconnecting(_logger, _options.Host!, e.Message);
                    await connection.DisposeAsync();
                }
                catch
                {
                    await ReturnAsync(connection);
                    throw;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<(SmtpConnection Connection, bool Reused)> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryPop(out var idle))
        {
            var unused = _time.GetElapsedTime(idle.Since);
            if (unused < IdleTimeout && !idle.Connection.IsBroken)
            {
                return (idle.Connection, true);
            }

            SmtpLog.IdleClosed(_logger, _options.Host!, unused);
            await idle.Connection.QuitAsync(cancellationToken);
        }

        return (await ConnectAsync(cancellationToken), false);
    }

    private async Task<SmtpConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var credentials = await CredentialReader.ReadAsync(_credentials, refresh: false, cancellationToken);
        try
        {
            return await OpenAsync(credentials, cancellationToken);
        }
        catch (SmtpAuthenticationException e) when (e.Code == SmtpReplyCode.AuthenticationInvalidCredentials)
        {
            // The secret may have been rotated since it was cached: ask once for fresh credentials.
            SmtpLog.RefreshingCredentials(_logger, _options.Host!);
            var fresh = await CredentialReader.ReadAsync(_credentials, refresh: true, cancellationToken);
            return await OpenAsync(fresh, cancellationToken);
        }
    }

    private async Task<SmtpConnection> OpenAsync(SmtpCredentials? credentials, CancellationToken cancellationToken)
    {
        var validator = _validator.Value;
        var connection = await SmtpConnection.OpenAsync(_options, validator, _logger, _streamFactory, cancellationToken);
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

    private async Task ReturnAsync(SmtpConnection connection)
    {
        if (connection.IsBroken)
        {
            SmtpLog.Dropped(_logger, _options.Host!, "the session is broken");
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
                SmtpLog.IdleClosed(_logger, _options.Host!, unused);
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

    private sealed record Idle(SmtpConnection Connection, long Since);
}
