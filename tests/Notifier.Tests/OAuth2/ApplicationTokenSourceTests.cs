using System.Net;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Notifier.KeyVault;
using Notifier.OAuth2;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.OAuth2;

/// <summary>
/// The Entra application (<c>Mail__OAuth2__TenantId</c> and <c>Mail__OAuth2__ClientId</c> both set) through the
/// real Azure.Identity <see cref="ClientSecretCredential"/>: its client secret comes from a scripted Key Vault
/// behind the real <c>SecretClient</c>, and its token requests go to <see cref="EntraTokenEndpoint"/> on loopback,
/// which sees exactly what Entra ID would see (tenant, client id, secret, scope).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ApplicationTokenSourceTests(ServerCertificates certificates) : IClassFixture<ServerCertificates>, IDisposable
{
    private const string Tenant = "8f3c1b2a-4d5e-4f60-9a7b-1c2d3e4f5a6b";
    private const string Client = "2b7e9c4d-1a3f-4e5b-8c6d-7e8f9a0b1c2d";
    private const string Scope = "https://outlook.office365.com/.default";
    private const string SecretName = "smtp-app-secret";

    private readonly ScriptedKeyVault _vault = new();
    // Starts at the real time: MSAL dates its tokens by the real clock, the caches here by this one.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task TheSecretIsReadFromTheNamedVaultSecretAndPostedToTheTenantsTokenEndpointWithTheClientIdAndScope()
    {
        await using var entra = await StartEntraAsync("secret-1");
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra);

        var token = await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);

        Assert.Equal("app-token-1", token.Token);
        var request = Assert.Single(entra.Requests);
        Assert.Equal(new EntraTokenEndpoint.TokenRequest(Tenant, "client_credentials", Client, "secret-1", Scope), request);
        Assert.Equal(1, _vault.SecretReads);
    }

    [Fact]
    public async Task TheSecretAndTheTokenAreReusedUntilSomethingAsksForFreshOnes()
    {
        await using var entra = await StartEntraAsync("secret-1");
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra);

        var first = await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);
        var second = await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);

        Assert.Equal(first.Token, second.Token);
        Assert.Single(entra.Requests);
        Assert.Equal(1, _vault.SecretReads);
    }

    [Fact]
    public async Task AfterTheMailServerRefusedTheTokenTheSecretIsReadAgainAndANewTokenIsAskedForWithIt()
    {
        await using var entra = await StartEntraAsync("secret-1", "secret-2");
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra);
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);
        _vault.SetSecret(SecretName, "secret-2");

        var renewed = await source.GetTokenAsync(Scope, fresh: true, CancellationToken.None);

        Assert.Equal("app-token-2", renewed.Token);
        Assert.Equal(["secret-1", "secret-2"], entra.Requests.Select(r => r.ClientSecret));
        Assert.Equal(2, _vault.SecretReads);
    }

    [Fact]
    public async Task AfterTheMailServerRefusedTheTokenANewOneIsAskedForEvenWhenTheSecretIsUnchanged()
    {
        await using var entra = await StartEntraAsync("secret-1");
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra);
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);

        var renewed = await source.GetTokenAsync(Scope, fresh: true, CancellationToken.None);

        // The refused token must not come back from the old credential's cache.
        Assert.Equal("app-token-2", renewed.Token);
        Assert.Equal(2, entra.Requests.Count);
    }

    [Fact]
    public async Task WhenEntraRefusesTheSecretInUseBecauseItWasRotatedTheVaultIsReadAgainOnceAndItsSuccessorUsed()
    {
        // Tokens that are always near expiry: every call asks Entra ID, as after an hour in production.
        await using var entra = await StartEntraAsync("secret-1");
        entra.Lifetime = TimeSpan.FromMinutes(4);
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra);
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);
        // The rotation: the old secret is revoked and the vault holds the new one. No 535 follows, since no
        // token is issued to be refused.
        entra.AcceptedSecrets = ["secret-2"];
        _vault.SetSecret(SecretName, "secret-2");

        var token = await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);

        Assert.Equal("app-token-2", token.Token);
        Assert.Equal(["secret-1", "secret-1", "secret-2"], entra.Requests.Select(r => r.ClientSecret));
        Assert.Equal(2, _vault.SecretReads);
    }

    [Fact]
    public async Task WhenTheVaultStillHoldsTheRefusedSecretEntraIsNotAskedAgainAndItsRefusalIsTheDropReason()
    {
        await using var entra = await StartEntraAsync("secret-1");
        entra.Lifetime = TimeSpan.FromMinutes(4);
        _vault.SetSecret(SecretName, "secret-1");
        using var credentials = Credentials(Source(entra));
        await credentials.GetCredentialsAsync(refresh: false, CancellationToken.None);
        // Revoked in Entra ID, not yet replaced in the vault. The clock is past the cached token's expiry, so
        // there is no valid token to fall back on.
        entra.AcceptedSecrets = [];
        _time.Advance(TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => credentials.GetCredentialsAsync(refresh: false, CancellationToken.None).AsTask());

        Assert.StartsWith($"no OAuth2 access token for {Scope} could be had from the Entra application {Client} in tenant {Tenant}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("AADSTS7000215: Invalid client secret provided", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": nothing was sent", error.Message, StringComparison.Ordinal);
        Assert.Equal($"check Mail__OAuth2__TenantId, Mail__OAuth2__ClientId and Mail__OAuth2__Scope, and that the client secret in the Key Vault secret '{SecretName}' belongs to that application and has not expired", error.Hint);
        Assert.Equal(["secret-1", "secret-1"], entra.Requests.Select(r => r.ClientSecret));
        Assert.Equal(2, _vault.SecretReads);
        Assert.DoesNotContain("secret-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARenewalEntraRefusesKeepsTheValidTokenAndTheWarningGivesEntrasReasonWithoutSayingNothingWasSent()
    {
        await using var entra = await StartEntraAsync("secret-1");
        // Within the five minutes before expiry from the start: due for renewal at every send, still valid.
        entra.Lifetime = TimeSpan.FromMinutes(4);
        _vault.SetSecret(SecretName, "secret-1");
        using var credentials = Credentials(Source(entra));
        await credentials.GetCredentialsAsync(refresh: false, CancellationToken.None);
        entra.AcceptedSecrets = [];

        var kept = await credentials.GetCredentialsAsync(refresh: false, CancellationToken.None);

        Assert.Equal("app-token-1", kept!.Password);
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 3501);
        Assert.StartsWith($"Could not renew the OAuth2 access token for {Scope} from the Entra application {Client} in tenant {Tenant}; using the current one until it expires: ClientSecretCredential authentication failed: AADSTS7000215", warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was sent", warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-1", _logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("app-token-", _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenTheMailServerRefusedIsLoggedWithScopeMailboxAndIdentity()
    {
        await using var entra = await StartEntraAsync("secret-1");
        _vault.SetSecret(SecretName, "secret-1");
        using var credentials = Credentials(Source(entra));
        await credentials.GetCredentialsAsync(refresh: false, CancellationToken.None);

        await credentials.GetCredentialsAsync(refresh: true, CancellationToken.None);

        var refused = Assert.Single(_logs.Entries, e => e.EventId == 3502);
        Assert.Equal($"The mail server refused the OAuth2 token for {Scope} for the mailbox notifier@contoso.com; asking the Entra application {Client} in tenant {Tenant} for a new one", refused.Text);
    }

    [Fact]
    public async Task ASecretInUseForKeyVaultRefreshIntervalIsReadAgainAndANewOneIsUsedForTheNextToken()
    {
        await using var entra = await StartEntraAsync("secret-1", "secret-2");
        entra.Lifetime = TimeSpan.FromMinutes(4);
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra, refreshInterval: TimeSpan.FromMinutes(10));
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);
        _vault.SetSecret(SecretName, "secret-2");

        _time.Advance(TimeSpan.FromMinutes(9));
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);

        Assert.Equal(["secret-1", "secret-1", "secret-2"], entra.Requests.Select(r => r.ClientSecret));
        Assert.Equal(2, _vault.SecretReads);
        Assert.Contains(_logs.Entries, e => e.EventId == 3000 && e.Text.Contains(ScriptedKeyVault.VaultUri.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenTheTimedReadFailsTheSecretInUseKeepsWorkingAndTheFailureIsLogged()
    {
        await using var entra = await StartEntraAsync("secret-1");
        entra.Lifetime = TimeSpan.FromMinutes(4);
        _vault.SetSecret(SecretName, "secret-1");
        using var source = Source(entra, refreshInterval: TimeSpan.FromMinutes(10));
        await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);
        _vault.FailWith = HttpStatusCode.Forbidden;
        _time.Advance(TimeSpan.FromMinutes(11));

        var token = await source.GetTokenAsync(Scope, fresh: false, CancellationToken.None);

        Assert.Equal("app-token-2", token.Token);
        Assert.Equal(["secret-1", "secret-1"], entra.Requests.Select(r => r.ClientSecret));
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 3001);
        Assert.Contains($"its client secret could not be read from the Key Vault secret '{SecretName}'", warning.Text, StringComparison.Ordinal);
        Assert.Contains("access was denied (403 Forbidden)", warning.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "access was denied (403 Forbidden)", "grant the function app's managed identity the 'Key Vault Secrets User' role on the vault")]
    [InlineData(HttpStatusCode.NotFound, $"the vault has no secret '{SecretName}' (SecretNotFound)", $"create it (az keyvault secret set --vault-name <vault> --name {SecretName} --value ...) or set KeyVault__ClientSecretSecret to the secret's name")]
    public async Task WhenTheVaultCannotGiveTheSecretTheDropReasonNamesScopeIdentityAndSecretAndTheHintSaysWhatToFix(HttpStatusCode status, string reason, string fix)
    {
        await using var entra = await StartEntraAsync("secret-1");
        _vault.FailWith = status;
        using var credentials = Credentials(Source(entra));

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => credentials.GetCredentialsAsync(refresh: false, CancellationToken.None).AsTask());

        Assert.Equal(
            $"no OAuth2 access token for {Scope} could be had from the Entra application {Client} in tenant {Tenant}: "
            + $"its client secret could not be read from the Key Vault secret '{SecretName}' in {ScriptedKeyVault.VaultUri}: {reason}: nothing was sent",
            error.Message);
        Assert.StartsWith(fix, error.Hint, StringComparison.Ordinal);
        Assert.Empty(entra.Requests);
    }

    [Fact]
    public async Task AWrongSecretInTheVaultIsRefusedOnceAndNotReadAgainAtOnce()
    {
        await using var entra = await StartEntraAsync("secret-1");
        _vault.SetSecret(SecretName, "a-secret-entra-never-issued");
        using var credentials = Credentials(Source(entra));

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => credentials.GetCredentialsAsync(refresh: false, CancellationToken.None).AsTask());

        // The secret was just read: reading it again could not give another.
        Assert.Single(entra.Requests);
        Assert.Equal(1, _vault.SecretReads);
        Assert.Contains(": ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-entra-never-issued", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAnAuthorityHostNamedInstanceDiscoveryIsOffAndOtherwiseOn()
    {
        Assert.True(OAuth2CredentialsFactory.ApplicationCredentialOptions("https://login.microsoftonline.us/").DisableInstanceDiscovery);
        Assert.False(OAuth2CredentialsFactory.ApplicationCredentialOptions(null).DisableInstanceDiscovery);
    }

    private async Task<EntraTokenEndpoint> StartEntraAsync(params string[] accepted)
    {
        var endpoint = await EntraTokenEndpoint.StartAsync(certificates.Localhost);
        endpoint.AcceptedSecrets = accepted;
        return endpoint;
    }

    private ApplicationTokenSource Source(EntraTokenEndpoint entra, TimeSpan? refreshInterval = null) =>
        new(Tenant, Client, _vault.CreateClient(), SecretName, refreshInterval ?? TimeSpan.FromMinutes(10), _time, Logger(), new ClientSecretCredentialOptions
        {
            AuthorityHost = entra.AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = LoopbackTlsServer.TrustingTransport(certificates.AuthorityPath),
        });

    private OAuth2MailCredentials Credentials(ApplicationTokenSource source) =>
        new("notifier@contoso.com", Scope, source, _time, Logger());

    private ILogger<OAuth2MailCredentials> Logger()
    {
#pragma warning disable CA2000 // The factory only hands out loggers that write to _logs; nothing to release.
        var factory = new LoggerFactory([_logs]);
#pragma warning restore CA2000
        return factory.CreateLogger<OAuth2MailCredentials>();
    }
}
