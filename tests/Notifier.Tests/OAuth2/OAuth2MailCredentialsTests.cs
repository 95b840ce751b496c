using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Notifier.KeyVault;
using Notifier.OAuth2;
using Notifier.Smtp;
using Notifier.Tests.Support;

namespace Notifier.Tests.OAuth2;

/// <summary>The token cache and the failure messages of <see cref="OAuth2MailCredentials"/>, on a clock the test moves.</summary>
public sealed class OAuth2MailCredentialsTests : IDisposable
{
    private const string Scope = "https://outlook.office365.com/.default";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));
    private const string Identity = "the scripted identity (client id 1234)";
    private readonly ScriptedTokenSource _source;
    private readonly CapturingLoggerProvider _log = new();
    private readonly LoggerFactory _loggerFactory;
    private readonly OAuth2MailCredentials _credentials;

    public OAuth2MailCredentialsTests()
    {
        _source = new ScriptedTokenSource(_time);
        _loggerFactory = new LoggerFactory([_log]);
        _credentials = new OAuth2MailCredentials("notifier@contoso.com", Scope, _source, _time, _loggerFactory.CreateLogger<OAuth2MailCredentials>());
    }

    public void Dispose()
    {
        _credentials.Dispose();
        _loggerFactory.Dispose();
    }

    [Fact]
    public async Task TheTokenIsTheXOAuth2SecretForTheMailbox()
    {
        var credentials = await _credentials.GetCredentialsAsync(refresh: false, CancellationToken.None);

        Assert.Equal(SmtpCredentials.ForOAuth2("notifier@contoso.com", "token-1"), credentials);
        Assert.Equal(SmtpCredentialKind.OAuth2AccessToken, credentials!.Kind);
        Assert.Equal([Scope], _source.Scopes);
        Assert.DoesNotContain("token-1", credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTokenIsReusedUntilFiveMinutesBeforeItExpiresThenRenewed()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(54));
        var reused = await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));
        var renewed = await _credentials.GetCredentialsAsync(false, CancellationToken.None);

        Assert.Equal("token-1", reused!.Password);
        Assert.Equal("token-2", renewed!.Password);
        Assert.Equal(2, _source.Calls);
    }

    [Fact]
    public async Task TheRenewalTimeEntraSuggestsIsHonouredWhenItComesFirst()
    {
        _source.RefreshAfter = TimeSpan.FromMinutes(30);
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal("token-2", (await _credentials.GetCredentialsAsync(false, CancellationToken.None))!.Password);
    }

    [Fact]
    public async Task AfterTheServerRefusedTheTokenANewOneIsAskedForAtOnce()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);

        var renewed = await _credentials.GetCredentialsAsync(refresh: true, CancellationToken.None);

        Assert.Equal("token-2", renewed!.Password);
        Assert.Equal([false, true], _source.Fresh);
        Assert.Equal("token-2", (await _credentials.GetCredentialsAsync(false, CancellationToken.None))!.Password);
    }

    [Fact]
    public async Task ConcurrentSendsShareOneTokenRequest()
    {
        _source.Delay = TimeSpan.FromMilliseconds(100);

        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _credentials.GetCredentialsAsync(false, CancellationToken.None).AsTask()));

        Assert.All(all, c => Assert.Equal("token-1", c!.Password));
        Assert.Equal(1, _source.Calls);
    }

    [Fact]
    public async Task ATokenThatCannotBeHadNamesTheIdentityAndTheScopeAndSaysWhatToDo()
    {
        _source.Failure = new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint.\nSee the troubleshooting guide for more information. https://aka.ms/azsdk/net/identity/managedidentitycredential/troubleshoot");

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetCredentialsAsync(false, CancellationToken.None).AsTask());

        Assert.Equal(
            "no OAuth2 access token for https://outlook.office365.com/.default could be had from the scripted identity (client id 1234): ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint: nothing was sent",
            error.Message);
        Assert.Equal(ScriptedTokenSource.HintText, error.Hint);
        Assert.IsAssignableFrom<SmtpException>(error);
    }

    [Fact]
    public async Task AFailedRenewalKeepsTheCurrentTokenWhileItIsValid()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(56));
        _source.Failure = new AuthenticationFailedException("endpoint down");

        var stillValid = await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("token-1", stillValid!.Password);
        await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetCredentialsAsync(false, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task AFailedRenewalIsLoggedAsWarning3501WithTheReasonButNeverTheToken()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(56));
        _source.Failure = new AuthenticationFailedException("endpoint down");

        await _credentials.GetCredentialsAsync(false, CancellationToken.None);

        var renewalFailed = Assert.Single(_log.Entries, e => e.EventId == 3501);
        Assert.Equal(LogLevel.Warning, renewalFailed.Level);
        Assert.Contains("endpoint down", renewalFailed.Text, StringComparison.Ordinal);
        Assert.Contains(Scope, renewalFailed.Text, StringComparison.Ordinal);
        Assert.Contains(Identity, renewalFailed.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", _log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIssuedTokenIsLoggedAs3500NamingTheScopeTheIdentityAndTheExpiryButNeverTheToken()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);

        var acquired = Assert.Single(_log.Entries, e => e.EventId == 3500);
        Assert.Equal(LogLevel.Information, acquired.Level);
        Assert.Contains(Scope, acquired.Text, StringComparison.Ordinal);
        Assert.Contains(Identity, acquired.Text, StringComparison.Ordinal);
        Assert.Contains("2026-11-22 04:00:00Z", acquired.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", _log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenTheServerRefusedIsLoggedAsWarning3502NamingTheMailboxAndTheIdentityButNeverTheToken()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);

        await _credentials.GetCredentialsAsync(refresh: true, CancellationToken.None);

        var refused = Assert.Single(_log.Entries, e => e.EventId == 3502);
        Assert.Equal(LogLevel.Warning, refused.Level);
        Assert.Contains("notifier@contoso.com", refused.Text, StringComparison.Ordinal);
        Assert.Contains(Identity, refused.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", _log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("token-2", _log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedTokenIsNeverHandedOutAgainEvenWhenTheRenewalFails()
    {
        await _credentials.GetCredentialsAsync(false, CancellationToken.None);
        _source.Failure = new AuthenticationFailedException("endpoint down");

        await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => _credentials.GetCredentialsAsync(refresh: true, CancellationToken.None).AsTask());
    }

    /// <summary>Issues token-1, token-2, … valid for an hour from the test's clock, or fails as told.</summary>
    private sealed class ScriptedTokenSource(TimeProvider time) : OAuth2TokenSource
    {
        public const string HintText = "check the scripted identity";

        public int Calls { get; private set; }

        public List<string> Scopes { get; } = [];

        public List<bool> Fresh { get; } = [];

        public Exception? Failure { get; set; }

        public TimeSpan? RefreshAfter { get; set; }

        public TimeSpan Delay { get; set; }

        public override string Description => Identity;

        public override string Hint => HintText;

        public override async ValueTask<AccessToken> GetTokenAsync(string scope, bool fresh, CancellationToken cancellationToken)
        {
            Scopes.Add(scope);
            Fresh.Add(fresh);
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            Calls++;
            var now = time.GetUtcNow();
            return new AccessToken($"token-{Calls}", now.AddHours(1), RefreshAfter is { } after ? now + after : null);
        }
    }
}
