using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Identity.Client;
using Notifier.KeyVault;
using Notifier.Smtp;

namespace Notifier.OAuth2;

/// <summary>
/// SMTP credentials for <c>Mail__Authentication=OAuth2</c>: the mailbox (<c>Mail__Username</c>) and an access
/// token for <c>Mail__OAuth2__Scope</c>, sent with SASL XOAUTH2. The token is reused until
/// <see cref="RenewBefore"/> ahead of its expiry (or the time Entra ID suggests renewing it, if earlier), so
/// a send never carries a token about to expire. After the server refused a token (<c>refresh: true</c>) a new
/// one is asked for at once. The token never reaches a log or a message.
/// </summary>
public sealed class OAuth2MailCredentials : ISmtpCredentialProvider, IDisposable
{
    /// <summary>How long before its expiry a token is replaced.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private const int MaxReasonLength = 400;

    private readonly string _mailbox;
    private readonly string _scope;
    private readonly OAuth2TokenSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private volatile Cached? _cached;

    internal OAuth2MailCredentials(string mailbox, string scope, OAuth2TokenSource source, TimeProvider time, ILogger<OAuth2MailCredentials> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mailbox);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _mailbox = mailbox.Trim();
        _scope = scope.Trim();
        _source = source;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    /// <exception cref="MailCredentialsUnavailableException">No token could be had; names the identity and the scope.</exception>
    public async ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _cached is { } cached && _time.GetUtcNow() < cached.RenewAt)
        {
            return cached.Credentials;
        }

        var refused = refresh ? _cached : null;
        await _renewing.WaitAsync(cancellationToken);
        try
        {
            cached = _cached;
            // Another caller may have renewed while this one waited; a refused token is never handed out again.
            if (cached is not null && _time.GetUtcNow() < cached.RenewAt && (refused is null || !ReferenceEquals(cached, refused)))
            {
                return cached.Credentials;
            }

            if (refresh)
            {
                OAuth2Log.TokenRefused(_logger, _scope, _mailbox, _source.Description);
            }

            AccessToken token;
            try
            {
                token = await AcquireAsync(refresh, cancellationToken);
            }
            catch (MailCredentialsUnavailableException ex) when (!refresh && cached is not null && _time.GetUtcNow() < cached.ExpiresOn)
            {
                // Renewal failed but the current token is still valid: keep mailing with it, try again next send.
                OAuth2Log.RenewalFailedUsingCurrent(_logger, _scope, _source.Description, ReasonIn(ex));
                return cached.Credentials;
            }

            var now = _time.GetUtcNow();
            var renewAt = token.ExpiresOn - RenewBefore;
            if (token.RefreshOn is { } suggested && suggested < renewAt)
            {
                renewAt = suggested;
            }

            var fresh = new Cached(SmtpCredentials.ForOAuth2(_mailbox, token.Token), renewAt, token.ExpiresOn);
            _cached = fresh;
            OAuth2Log.TokenAcquired(_logger, _scope, _source.Description, token.ExpiresOn, (token.ExpiresOn - now).TotalMinutes);
            return fresh.Credentials;
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task<AccessToken> AcquireAsync(bool refresh, CancellationToken cancellationToken)
    {
        AccessToken token;
        try
        {
            token = await _source.GetTokenAsync(_scope, fresh: refresh, cancellationToken);
        }
        catch (Exception ex) when (ex is AuthenticationFailedException or RequestFailedException or HttpRequestException or IOException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Unavailable(Reason(ex), ex);
        }
        catch (MailCredentialsUnavailableException ex)
        {
            // The identity's own secret could not be read (an Entra application's client secret in Key Vault):
            // the reason still starts with the scope and the identity, and the hint is the identity's fix for it.
            throw new MailCredentialsUnavailableException(Message(ex.Message), ex.Hint ?? _source.Hint, ex) { Reason = ex.Message };
        }

        return string.IsNullOrEmpty(token.Token) ? throw Unavailable("the identity returned an empty token", null) : token;
    }

    public void Dispose()
    {
        _renewing.Dispose();
        _source.Dispose();
    }

    private MailCredentialsUnavailableException Unavailable(string reason, Exception? inner) =>
        new(Message(reason), _source.Hint, inner) { Reason = reason };

    private string Message(string reason) =>
        $"no OAuth2 access token for {_scope} could be had from {_source.Description}: {reason}: nothing was sent";

    /// <summary>
    /// The reason alone, for the warning that the current token is kept: the scope and the identity are fields of
    /// that line already, and "nothing was sent" would be untrue there.
    /// </summary>
    private static string ReasonIn(MailCredentialsUnavailableException ex) => ex.Reason ?? ex.Message;

    /// <summary>The first lines of Azure.Identity's message: the endpoint's error, without the troubleshooting links.</summary>
    private static string Reason(Exception ex)
    {
        var text = OneLine(ex.Message, "See the troubleshooting guide");
        // For an Entra application Azure.Identity's message stops at "ClientSecretCredential authentication
        // failed:"; what Entra ID answered (AADSTS7000215 for a wrong or revoked secret, …) is only in MSAL's.
        if (ex.InnerException is MsalServiceException msal && ServerError(msal) is { Length: > 0 } server && !text.Contains(server, StringComparison.Ordinal))
        {
            text = $"{text.TrimEnd(':', ' ')}: {server}";
        }

        if (text.Length == 0)
        {
            text = ex.GetType().Name;
        }

        return text.Length <= MaxReasonLength ? text : string.Concat(text.AsSpan(0, MaxReasonLength), "…");
    }

    /// <summary>Entra ID's own error text from MSAL's message, without MSAL's advice and links before it.</summary>
    private static string ServerError(MsalServiceException msal)
    {
        const string original = "Original exception: ";
        var message = msal.Message;
        var start = message.IndexOf(original, StringComparison.Ordinal);
        return OneLine(start < 0 ? message : message[(start + original.Length)..], "Trace ID:");
    }

    /// <summary><paramref name="text"/> up to <paramref name="cutAt"/>, its whitespace runs made single spaces.</summary>
    private static string OneLine(string text, string cutAt)
    {
        var cut = text.IndexOf(cutAt, StringComparison.OrdinalIgnoreCase);
        if (cut > 0)
        {
            text = text[..cut];
        }

        return string.Join(' ', text.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.', ' ');
    }

    private sealed record Cached(SmtpCredentials Credentials, DateTimeOffset RenewAt, DateTimeOffset ExpiresOn);
}
