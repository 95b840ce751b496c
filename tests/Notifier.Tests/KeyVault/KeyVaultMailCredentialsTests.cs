using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Notifier.KeyVault;
using Notifier.Tests.Support;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.KeyVault;

public sealed class KeyVaultMailCredentialsTests : IDisposable
{
    private readonly ScriptedKeyVault _vault = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));
    private readonly KeyVaultMailCredentials _credentials;

    public KeyVaultMailCredentialsTests()
    {
        _credentials = new KeyVaultMailCredentials(
            _vault.CreateClient(),
            new KeyVaultOptions { Uri = ScriptedKeyVault.VaultUri, RefreshInterval = TimeSpan.FromMinutes(10) },
            _time,
            NullLogger<KeyVaultMailCredentials>.Instance);
    }

    [Fact]
    public async Task ReadsTheUsernameAndPasswordOnceAndReusesThem()
    {
        var first = await _credentials.GetAsync();
        var second = await _credentials.GetAsync();

        Assert.Equal("notifier@example.com", first.Username);
        Assert.Equal("first-password", first.Password);
        Assert.Same(first, second);
        Assert.Equal(2, _vault.SecretReads);
    }

    [Fact]
    public async Task ReadsThemAgainAfterTheRefreshIntervalSoARotatedPasswordIsUsed()
    {
        await _credentials.GetAsync();
        _vault.SetSecret("mail-password", "rotated-password");

        _time.Advance(TimeSpan.FromMinutes(9));
        var beforeInterval = await _credentials.GetAsync();
        _time.Advance(TimeSpan.FromMinutes(2));
        var afterInterval = await _credentials.GetAsync();

        Assert.Equal("first-password", beforeInterval.Password);
        Assert.Equal("rotated-password", afterInterval.Password);
    }

    [Fact]
    public async Task AfterTheServerRefusedThemTheyAreReadAgainAtOnce()
    {
        await _credentials.GetCredentialsAsync(refresh: false, CancellationToken.None);
        _vault.SetSecret("mail-password", "rotated-password");

        var refreshed = await _credentials.GetCredentialsAsync(refresh: true, CancellationToken.None);

        Assert.Equal("rotated-password", refreshed!.Password);
        Assert.Equal(4, _vault.SecretReads);
    }

    [Fact]
    public async Task AccessDeniedSaysWhichVaultAndWhatToGrant()
    {
        _vault.FailWith = HttpStatusCode.Forbidden;

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetAsync().AsTask());

        Assert.Equal($"the mail username could not be read from Key Vault {ScriptedKeyVault.VaultUri} (secret 'mail-username'): access was denied (403 Forbidden)", error.Message);
        Assert.Contains("Key Vault Secrets User", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingSecretIsNamedWithTheSettingThatChoosesIt()
    {
        _vault.RemoveSecret("mail-password");

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetAsync().AsTask());

        Assert.Equal($"the mail password could not be read from Key Vault {ScriptedKeyVault.VaultUri} (secret 'mail-password'): the vault has no secret 'mail-password' (SecretNotFound)", error.Message);
        Assert.Contains("az keyvault secret set", error.Hint, StringComparison.Ordinal);
        Assert.Contains("KeyVault__PasswordSecret", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableVaultIsReportedAsSuch()
    {
        _vault.Unreachable = true;

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetAsync().AsTask());

        Assert.Contains("(secret 'mail-username'): the vault could not be reached (Name or service not known", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyVault__Uri", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFirewallRefusalPointsAtTheNetworkNotAtTheRole()
    {
        _vault.FailWith = HttpStatusCode.Forbidden;
        _vault.FailCode = "ForbiddenByFirewall";

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetAsync().AsTask());

        Assert.Contains("firewall refused the app (403 ForbiddenByFirewall)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Networking", error.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("Secrets User", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterAzuresRetriesTheLastFailureIsExplainedNotTheAggregate()
    {
        // With retries, Azure.Core throws an AggregateException holding every try's failure.
        _vault.Unreachable = true;
        var credentials = new KeyVaultMailCredentials(_vault.CreateClient(maxRetries: 2), new KeyVaultOptions { Uri = ScriptedKeyVault.VaultUri }, _time, NullLogger<KeyVaultMailCredentials>.Instance);

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => credentials.GetAsync().AsTask());

        Assert.IsType<AggregateException>(error.InnerException);
        Assert.Contains("the vault could not be reached (Name or service not known", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry failed", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _vault.Attempts);
    }

    [Fact]
    public async Task ARealClosedPortBehindTheRealClientAndRetryPolicyIsOneLineNamingVaultSecretAndFix()
    {
        // The client the app builds (KeyVaultClientFactory: its retries, its transport) against a loopback
        // port where nothing listens.
        using var down = new RefusingPort();
        var vault = new Uri($"https://127.0.0.1:{down.Port}/");
        var options = new KeyVaultOptions { Uri = vault };
        var credentials = new KeyVaultMailCredentials(KeyVaultClientFactory.Create(options), options, TimeProvider.System, NullLogger<KeyVaultMailCredentials>.Instance);

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => credentials.GetAsync().AsTask());

        Assert.IsType<AggregateException>(error.InnerException);
        Assert.Equal($"the mail username could not be read from Key Vault {vault} (secret 'mail-username'): the vault could not be reached (Connection refused)", error.Message);
        Assert.Equal(KeyVaultFailure.NetworkFix, error.Hint);
    }

    [Fact]
    public async Task ATimedRefreshThatFailsKeepsThePreviousValuesButARefusedOneDoesNot()
    {
        await _credentials.GetAsync();
        _vault.FailWith = HttpStatusCode.Forbidden;
        _time.Advance(TimeSpan.FromMinutes(11));

        var kept = await _credentials.GetAsync();

        Assert.Equal("first-password", kept.Password);
        await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetCredentialsAsync(refresh: true, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task TheErrorNeverContainsASecretValue()
    {
        await _credentials.GetAsync();
        _vault.FailWith = HttpStatusCode.Forbidden;

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetCredentialsAsync(refresh: true, CancellationToken.None).AsTask());

        Assert.DoesNotContain("first-password", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _vault.Dispose();
}
