using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Notifier.Smtp;

namespace Notifier.KeyVault;

/// <summary>
/// The mail username and password from Key Vault. Read once, then reused for
/// <see cref="KeyVaultOptions.RefreshInterval"/> so a rotated password is picked up without a restart;
/// <see cref="Invalidate"/> (after a 535 from the server) makes the next call read them again at once.
/// When a timed refresh fails the previous values keep working (the vault being briefly unreachable should
/// not stop mail); after an invalidation there is nothing trustworthy left and the failure is reported.
/// </summary>
public sealed class KeyVaultMailCredentials : ISmtpCredentialProvider, IDisposable
{
    private readonly SecretClient _client;
    private readonly KeyVaultOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<KeyVaultMailCredentials> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Cached? _cached;

    public KeyVaultMailCredentials(SecretClient client, KeyVaultOptions options, TimeProvider timeProvider, ILogger<KeyVaultMailCredentials> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The current credentials; reads the vault when none are cached or they are due for refresh.</summary>
    /// <exception cref="MailCredentialsUnavailableException">The vault could not be read and nothing usable is cached.</exception>
    public async ValueTask<SmtpCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        var cached = _cached;
        if (cached is { Trusted: true } && _timeProvider.GetUtcNow() < cached.RefreshAt)
        {
            return cached.Credential;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            cached = _cached;
            if (cached is { Trusted: true } && _timeProvider.GetUtcNow() < cached.RefreshAt)
            {
                return cached.Credential;
            }

            try
            {
                var credential = await ReadAsync(cancellationToken);
                _cached = new Cached(credential, _timeProvider.GetUtcNow() + _options.RefreshInterval, Trusted: true);
                KeyVaultLog.Read(_logger, _client.VaultUri);
                return credential;
            }
            catch (MailCredentialsUnavailableException ex) when (cached is { Trusted: true })
            {
                // Keep the values that worked until now; try the vault again on the next send.
                KeyVaultLog.RefreshFailedUsingPrevious(_logger, _client.VaultUri, ex.Message);
                return cached.Credential;
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks><paramref name="refresh"/> is true after the server refused the credentials (535).</remarks>
    public async ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (refresh)
        {
            Invalidate();
        }

        return await GetAsync(cancellationToken);
    }

    /// <summary>The server refused the cached credentials: read them again before the next send.</summary>
    public void Invalidate()
    {
        if (_cached is { } cached)
        {
            _cached = cached with { Trusted = false };
        }

        KeyVaultLog.Invalidated(_logger, _client.VaultUri);
    }

    private async Task<SmtpCredentials> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var username = await _client.GetSecretAsync(_options.UsernameSecret, cancellationToken: cancellationToken);
            var password = await _client.GetSecretAsync(_options.PasswordSecret, cancellationToken: cancellationToken);
            return new SmtpCredentials(username.Value.Value ?? string.Empty, password.Value.Value ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            throw Unavailable($"access was denied ({ex.Status} {ex.ErrorCode})",
                "grant the function app's managed identity the 'Key Vault Secrets User' role on the vault (or an access policy allowing secret get)", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw Unavailable($"a secret was not found ({ex.ErrorCode})",
                $"create the secrets '{_options.UsernameSecret}' and '{_options.PasswordSecret}' in the vault, or set KeyVault__UsernameSecret and KeyVault__PasswordSecret to their names", ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 0)
        {
            // Azure.Core reports a failed connection (DNS, refused, TLS) as status 0.
            throw Unavailable($"the vault could not be reached ({ex.InnerException?.GetType().Name ?? "no response"})", "check KeyVault__Uri and the network path from the app to the vault", ex);
        }
        catch (RequestFailedException ex)
        {
            throw Unavailable($"the vault answered {ex.Status} {ex.ErrorCode}", "check KeyVault__Uri and the vault's firewall and network settings", ex);
        }
        catch (AuthenticationFailedException ex)
        {
            throw Unavailable("no identity could sign in to Key Vault",
                "enable the function app's managed identity (set AZURE_CLIENT_ID for a user-assigned one); locally, sign in with 'az login'", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Unavailable($"the vault could not be reached ({ex.GetType().Name})", "check KeyVault__Uri and the network path from the app to the vault", ex);
        }
    }

    private MailCredentialsUnavailableException Unavailable(string what, string hint, Exception inner) =>
        new($"the mail username and password could not be read from Key Vault {_client.VaultUri}: {what}", hint, inner);

    public void Dispose() => _refresh.Dispose();

    private sealed record Cached(SmtpCredentials Credential, DateTimeOffset RefreshAt, bool Trusted);
}
