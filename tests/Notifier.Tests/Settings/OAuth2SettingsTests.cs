using Microsoft.Extensions.Configuration;
using Notifier.Settings;
using Notifier.Smtp.Options;

namespace Notifier.Tests.Settings;

/// <summary><c>Mail__Authentication</c> and <c>Mail__OAuth2__*</c> as an admin writes them, checked at start-up.</summary>
public sealed class OAuth2SettingsTests
{
    private static readonly (string, string?)[] Office365 =
    [
        ("Mail:Host", "smtp.office365.com"),
        ("Mail:Port", "587"),
        ("Mail:Tls", "Always"),
        ("Mail:From", "Code Review <notifier@contoso.com>"),
        ("Mail:Authentication", "OAuth2"),
        ("Mail:Username", "notifier@contoso.com"),
    ];

    private static NotifierSettings Load(params (string Key, string? Value)[] values) =>
        NotifierSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static NotifierSettings Office365With(params (string Key, string? Value)[] values) =>
        Load([.. Office365.Where(o => !values.Any(v => v.Key == o.Item1)), .. values]);

    [Fact]
    public void ManagedIdentityNeedsOnlyTheMailboxAndTheDefaultScope()
    {
        var settings = Office365With();

        Assert.True(settings.IsValid, settings.Describe());
        Assert.Equal(MailAuthentication.OAuth2, settings.Mail.Authentication);
        Assert.Equal("https://outlook.office365.com/.default", settings.Mail.OAuth2.Scope);
        Assert.False(settings.Mail.OAuth2.UsesApplication);
        Assert.False(settings.Mail.IsAnonymous);
        Assert.Contains("(OAuth2)", settings.Mail.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEntraApplicationWithItsSecretInKeyVaultIsAccepted()
    {
        var settings = Office365With(
            ("Mail:OAuth2:TenantId", "contoso.onmicrosoft.com"),
            ("Mail:OAuth2:ClientId", "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"),
            ("KeyVault:Uri", "https://kv.vault.azure.net/"),
            ("KeyVault:ClientSecretSecret", "smtp-app-secret"));

        Assert.True(settings.IsValid, settings.Describe());
        Assert.True(settings.Mail.OAuth2.UsesApplication);
        Assert.Equal("smtp-app-secret", settings.KeyVault.ClientSecretSecret);
    }

    [Fact]
    public void TheClientSecretNameDefaultsToMailClientSecret() =>
        Assert.Equal("mail-client-secret", Load().KeyVault.ClientSecretSecret);

    [Theory]
    [InlineData("Mail:Username", null, "Mail__Authentication=OAuth2 needs the mailbox to send as in Mail__Username")]
    [InlineData("Mail:Username", "Notifier <notifier@contoso.com>", "is not a mailbox address")]
    [InlineData("Mail:Password", "secret", "Mail__Password is set but Mail__Authentication=OAuth2 signs in with a token, not a password: remove Mail__Password")]
    [InlineData("Mail:OAuth2:TenantId", "contoso.onmicrosoft.com", "Mail__OAuth2__TenantId is set but Mail__OAuth2__ClientId is empty")]
    [InlineData("Mail:OAuth2:ClientId", "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b", "Mail__OAuth2__ClientId is set but Mail__OAuth2__TenantId is empty")]
    [InlineData("Mail:OAuth2:Scope", "outlook", "Mail__OAuth2__Scope=\"outlook\" is not a scope")]
    [InlineData("Mail:Tls", "None", "the access token could never be sent")]
    [InlineData("Mail:Authentication", "Token", "Use one of: Auto, Password, OAuth2")]
    public void EachOAuth2MistakeNamesTheSettingAndTheFix(string key, string? value, string expected)
    {
        var settings = Office365With((key, value));

        Assert.False(settings.IsValid);
        Assert.Contains(expected, settings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnApplicationWithoutKeyVaultIsToldWhereItsSecretMustBe()
    {
        var settings = Office365With(
            ("Mail:OAuth2:TenantId", "0c6d2f3e-1a2b-4c5d-9e8f-7a6b5c4d3e2f"),
            ("Mail:OAuth2:ClientId", "not-a-guid"));

        var text = settings.Describe();
        Assert.Contains("set KeyVault__Uri (the secret 'mail-client-secret'", text, StringComparison.Ordinal);
        Assert.Contains("Mail__OAuth2__ClientId=\"not-a-guid\" is not an application (client) id", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OAuth2SettingsWithoutOAuth2AuthenticationAreAMistake()
    {
        var settings = Load(("Mail:OAuth2:ClientId", "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"));

        Assert.Contains("Mail__OAuth2__ClientId is set but Mail__Authentication=Auto: set Mail__Authentication=OAuth2", settings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void OAuth2MayKeepTheMailboxInMailSettingsWhileKeyVaultIsSet()
    {
        var settings = Office365With(("KeyVault:Uri", "https://kv.vault.azure.net/"));

        Assert.True(settings.IsValid, settings.Describe());
    }

    [Fact]
    public void PasswordModeNeedsAUsernameAndPasswordOrKeyVault()
    {
        Assert.Contains(
            "Mail__Authentication=Password needs a username and password",
            Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com"), ("Mail:Authentication", "Password")).Describe(),
            StringComparison.Ordinal);
        Assert.True(Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com"), ("Mail:Authentication", "Password"), ("KeyVault:Uri", "https://kv.vault.azure.net/")).IsValid);
        Assert.True(Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com"), ("Mail:Authentication", "Password"), ("Mail:Username", "u"), ("Mail:Password", "p")).IsValid);
    }

    [Fact]
    public void AutoKeepsTodaysRule()
    {
        Assert.True(Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com")).Mail.IsAnonymous);
        Assert.Contains(
            "KeyVault__Uri is set, so the username and password are read from Key Vault",
            Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com"), ("Mail:Username", "u"), ("Mail:Password", "p"), ("KeyVault:Uri", "https://kv.vault.azure.net/")).Describe(),
            StringComparison.Ordinal);
    }
}
