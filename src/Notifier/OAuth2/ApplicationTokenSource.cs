using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Notifier.KeyVault;

namespace Notifier.OAuth2;

/// <summary>
/// An Entra application (<c>Mail__OAuth2__TenantId</c>, <c>Mail__OAuth2__ClientId</c>) signing in with its client
/// secret, which is read from Key Vault (<c>KeyVault__ClientSecretSecret</c>) and read again after the mail
/// server refused a token, so a rotated secret is picked up without a restart.
/// </summary>
internal sealed class ApplicationTokenSource : OAuth2TokenSource
{
    private readonly string _tenantId;
    private readonly string _clientId;
    private readonly SecretClient _vault;
    private readonly string _secretName;
    private readonly ClientSecretCredentialOptions _credentialOptions;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private TokenCredential? _credential;

    public ApplicationTokenSource(string tenantId, string clientId, SecretClient vault, string secretName, ClientSecretCredentialOptions? credentialOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentNullException.ThrowIfNull(vault);
        _tenantId = tenantId.Trim();
        _clientId = clientId.Trim();
        _vault = vault;
        _secretName = secretName;
        _credentialOptions = credentialOptions ?? new ClientSecretCredentialOptions();
        _credentialOptions.Retry.MaxRetries = 2;
        _credentialOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
    }

    public override string Description => $"the Entra application {_clientId} in tenant {_tenantId}";

    public override string Hint =>
        $"check Mail__OAuth2__TenantId, Mail__OAuth2__ClientId and Mail__OAuth2__Scope, and that the client secret in the Key Vault secret '{_secretName}' belongs to that application and has not expired";

    public override async ValueTask<AccessToken> GetTokenAsync(string scope, bool fresh, CancellationToken cancellationToken)
    {
        var credential = await CredentialAsync(fresh, cancellationToken);
        return await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reading.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<TokenCredential> CredentialAsync(bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && Volatile.Read(ref _credential) is { } current)
        {
            return current;
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (!fresh && _credential is { } read)
            {
                return read;
            }

            var secret = await ReadSecretAsync(cancellationToken);
            var credential = new ClientSecretCredential(_tenantId, _clientId, secret, _credentialOptions);
            Volatile.Write(ref _credential, credential);
            return credential;
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
                ? throw Unavailable("it is empty", $"store {Description}'s client secret in the vault as '{_secretName}'", null)
                : secret.Value.Value;
        }
        catch (Exception ex) when (ex is not MailCredentialsUnavailableException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Every SDK failure, the AggregateException of Azure's retries included, becomes one line with the fix.
            var (reason, fix) = KeyVaultFailure.Explain(ex, _secretName, "KeyVault__ClientSecretSecret");
            throw Unavailable(reason, fix, ex);
        }
    }

    private MailCredentialsUnavailableException Unavailable(string what, string hint, Exception? inner) =>
        new($"the client secret of {Description} could not be read from the Key Vault secret '{_secretName}' in {_vault.VaultUri}: {what}: nothing was sent", hint, inner);
}
