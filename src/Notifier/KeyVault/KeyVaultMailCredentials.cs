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
        var username = await ReadSecretAsync(_options.UsernameSecret, "username", "KeyVault__UsernameSecret", cancellationToken);
        var password = await ReadSecretAsync(_options.PasswordSecret, "password", "KeyVault__PasswordSecret", cancellationToken);
        return new SmtpCredentials(username, password);
    }

    private async Task<string> ReadSecretAsync(string name, string what, string setting, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await _client.GetSecretAsync(name, cancellationToken: cancellationToken);
            return secret.Value.Value ?? string.Empty;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Whatever the SDK throws (AggregateException after its retries included) becomes one line that
            // names the vault, the secret and the fix; a caller never sees a raw SDK exception.
            var (reason, fix) = KeyVaultFailure.Explain(ex, name, setting);
            throw new MailCredentialsUnavailableException(
                $"the mail {what} could not be read from Key Vault {_client.VaultUri} (secret '{name}'): {reason}", fix, ex);
        }
    }

    public void Dispose() => _refresh.Dispose();

    private sealed record Cached(SmtpCredentials Credential, DateTimeOffset RefreshAt, bool Trusted);
}
