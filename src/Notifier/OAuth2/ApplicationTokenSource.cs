using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Identity.Client;
using Notifier.KeyVault;

namespace Notifier.OAuth2;

/// <summary>
/// An Entra application (<c>Mail__OAuth2__TenantId</c>, <c>Mail__OAuth2__ClientId</c>) signing in with its client
/// secret, which is read from Key Vault (<c>KeyVault__ClientSecretSecret</c>). So that a rotated secret is picked
/// up without a restart, the secret is read again
/// <list type="bullet">
/// <item>when it has been in use for <c>KeyVault__RefreshInterval</c>, like the other Key Vault secrets (if that
/// read fails, the secret in use is kept: a vault briefly out of reach should not stop mail);</item>
/// <item>at once after the mail server refused a token (<c>fresh</c>);</item>
/// <item>at once, a single time, when Entra ID refuses the secret itself (<c>invalid_client</c>: the old secret was
/// revoked or has expired). No 535 ever comes then, because no token is issued to send.</item>
/// </list>
/// </summary>
internal sealed class ApplicationTokenSource : OAuth2TokenSource
{
    private readonly string _tenantId;
    private readonly string _clientId;
    private readonly SecretClient _vault;
    private readonly string _secretName;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ClientSecretCredentialOptions _credentialOptions;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private Current? _current;

    public ApplicationTokenSource(
        string tenantId,
        string clientId,
        SecretClient vault,
        string secretName,
        TimeSpan refreshInterval,
        TimeProvider time,
        ILogger logger,
        ClientSecretCredentialOptions? credentialOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refreshInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _tenantId = tenantId.Trim();
        _clientId = clientId.Trim();
        _vault = vault;
        _secretName = secretName;
        _refreshInterval = refreshInterval;
        _time = time;
        _logger = logger;
        _credentialOptions = credentialOptions ?? new ClientSecretCredentialOptions();
        // A refusing or unreachable Entra ID should become a drop reason within seconds, not after minutes of backoff.
        _credentialOptions.Retry.MaxRetries = 2;
        _credentialOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
    }

    public override string Description => $"the Entra application {_clientId} in tenant {_tenantId}";

    public override string Hint =>
        $"check Mail__OAuth2__TenantId, Mail__OAuth2__ClientId and Mail__OAuth2__Scope, and that the client secret in the Key Vault secret '{_secretName}' belongs to that application and has not expired";

    public override async ValueTask<AccessToken> GetTokenAsync(string scope, bool fresh, CancellationToken cancellationToken)
    {
        var context = new TokenRequestContext([scope]);
        var (credential, justRead) = await CredentialAsync(fresh ? Reading.AfterServerRefusal : Reading.WhenDue, cancellationToken);
        try
        {
            return await credential.GetTokenAsync(context, cancellationToken);
        }
        catch (AuthenticationFailedException ex) when (!justRead && SecretRefused(ex))
        {
            // Entra ID no longer accepts the secret read earlier; the vault may already hold its successor.
            var (successor, changed) = await CredentialAsync(Reading.AfterEntraRefusal, cancellationToken);
            if (!changed)
            {
                // The vault still holds the refused secret: asking Entra ID again would only be refused again.
                throw;
            }

            return await successor.GetTokenAsync(context, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reading.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Entra ID's answer for a wrong, revoked or expired client secret (AADSTS7000215, AADSTS7000222).</summary>
    private static bool SecretRefused(AuthenticationFailedException ex) =>
        ex.InnerException is MsalServiceException { ErrorCode: "invalid_client" };

    /// <summary>The credential to ask, and whether it was just made from a secret read now.</summary>
    private async ValueTask<(TokenCredential Credential, bool New)> CredentialAsync(Reading reading, CancellationToken cancellationToken)
    {
        if (reading == Reading.WhenDue && Volatile.Read(ref _current) is { } current && _time.GetUtcNow() < current.ReadAgainAt)
        {
            return (current.Credential, false);
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            if (reading == Reading.WhenDue && current is not null && _time.GetUtcNow() < current.ReadAgainAt)
            {
                return (current.Credential, false);
            }

            string secret;
            try
            {
                secret = await ReadSecretAsync(cancellationToken);
            }
            catch (MailCredentialsUnavailableException ex) when (reading == Reading.WhenDue && current is not null)
            {
                // Only the timed read failed: the secret in use still worked; the vault is tried again next time.
                KeyVaultLog.RefreshFailedUsingPrevious(_logger, _vault.VaultUri, ex.Message);
                return (current.Credential, false);
            }

            KeyVaultLog.Read(_logger, _vault.VaultUri);
            // After a 535 a new credential is made even from the same secret: the old one's token cache would
            // hand back the token the mail server just refused. Otherwise an unchanged secret keeps its credential
            // and the tokens it holds.
            var same = current is not null && string.Equals(current.Secret, secret, StringComparison.Ordinal);
            var credential = same && reading != Reading.AfterServerRefusal
                ? current!.Credential
                : new ClientSecretCredential(_tenantId, _clientId, secret, _credentialOptions);
            Volatile.Write(ref _current, new Current(secret, credential, _time.GetUtcNow() + _refreshInterval));
            return (credential, !ReferenceEquals(credential, current?.Credential));
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<string> ReadSecretAsync(CancellationToken cancellationToken)
    {
        try
        {
            var secret = await _vault.GetSecretAsync(_secretName, cancellationToken: cancellationToken);
            return string.IsNullOrEmpty(secret.Value.Value)
                ? throw Unavailable("it is empty", $"store the application's client secret in the vault as '{_secretName}' (az keyvault secret set --vault-name <vault> --name {_secretName} --value ...)", null)
                : secret.Value.Value;
        }
        catch (Exception ex) when (ex is not MailCredentialsUnavailableException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Every SDK failure, the AggregateException of Azure's retries included, becomes one line with the fix.
            var (reason, fix) = KeyVaultFailure.Explain(ex, _secretName, "KeyVault__ClientSecretSecret");
            throw Unavailable(reason, fix, ex);
        }
    }

    /// <remarks>
    /// Says only what went wrong with the secret: <see cref="OAuth2MailCredentials"/> puts it after the scope and
    /// the identity it was for. The hint is what to fix in the vault.
    /// </remarks>
    private MailCredentialsUnavailableException Unavailable(string what, string hint, Exception? inner) =>
        new($"its client secret could not be read from the Key Vault secret '{_secretName}' in {_vault.VaultUri}: {what}", hint, inner);

    private enum Reading
    {
        /// <summary>Read the vault only when the secret has been in use for the refresh interval.</summary>
        WhenDue,

        /// <summary>The mail server refused a token: read the vault and make a new credential.</summary>
        AfterServerRefusal,

        /// <summary>Entra ID refused the secret: read the vault; a new credential only for a different secret.</summary>
        AfterEntraRefusal,
    }

    private sealed record Current(string Secret, TokenCredential Credential, DateTimeOffset ReadAgainAt);
}
