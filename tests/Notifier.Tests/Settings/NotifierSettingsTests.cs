using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifier.Notifications;
using Notifier.Rejections;
using Notifier.Settings;
using Notifier.Smtp.Options;

namespace Notifier.Tests.Settings;

public sealed class NotifierSettingsTests
{
    private static NotifierSettings Load(params (string Key, string? Value)[] values) =>
        NotifierSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void NoSettingsAtAllIsALocalRunWritingToTheOutbox()
    {
        var settings = Load();

        Assert.True(settings.IsValid, settings.Describe());
        Assert.Equal("notifier@localhost", settings.From.Address);
    }

    [Fact]
    public void EveryProblemIsListedAtOnceEachNamingItsSetting()
    {
        var settings = Load(
            ("Mail:Host", "mail.example.com"),
            ("Mail:Port", "abc"),
            ("Mail:Tls", "Sometimes"),
            ("Notifications:BaseUrl", "http://git.example.com/"),
            ("KeyVault:Uri", "https://kv.vault.azure.net/"),
            ("KeyVault:PasswordSecret", "bad name!"),
            ("Mail:Username", "someone"));

        Assert.False(settings.IsValid);
        var text = settings.Describe();
        foreach (var setting in new[] { "Mail__Port", "Mail__Tls", "Notifications__BaseUrl", "KeyVault__PasswordSecret", "Mail__Username", "Mail__From" })
        {
            Assert.Contains(setting, text, StringComparison.Ordinal);
        }

        Assert.Contains("IfAvailable", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKindOfValueIsReadIntoItsSection()
    {
        // The sections are bound by build-time generated code (Settings/SectionBinder.cs): each kind of property
        // must read as the reflection binder read it.
        var settings = Load(
            ("Mail:Host", "mail.example.com"),
            ("Mail:Port", "587"),
            ("Mail:Tls", "always"),
            ("Mail:From", "Code Review <noreply@example.com>"),
            ("Mail:AllowPlaintextAuth", "True"),
            ("Mail:ConnectTimeout", "12"),
            ("Mail:CommandTimeout", "00:02:00"),
            ("Mail:Authentication", "oauth2"),
            ("Mail:Username", "mailbox@example.com"),
            ("Mail:OAuth2:Scope", "https://mail.example.com/.default"),
            ("Notifications:BaseUrl", "https://git.example.com/"),
            ("Notifications:Batching:QuietPeriod", "90"),
            ("Notifications:Batching:Mode", "Immediate"),
            ("KeyVault:Uri", "https://kv.vault.azure.net/"),
            ("KeyVault:RefreshInterval", "2.5"));

        Assert.True(settings.IsValid, settings.Describe());
        Assert.Equal(587, settings.Mail.Port);
        Assert.Equal(MailTls.Always, settings.Mail.Tls);
        Assert.Equal("https://mail.example.com/.default", settings.Mail.OAuth2.Scope);
        Assert.True(settings.Mail.AllowPlaintextAuth);
        Assert.Equal(MailAuthentication.OAuth2, settings.Mail.Authentication);
        Assert.Equal(TimeSpan.FromSeconds(12), settings.Mail.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Mail.CommandTimeout);
        Assert.Equal(new Uri("https://git.example.com/"), settings.Notifications.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Notifications.Batching.QuietPeriod);
        Assert.Equal(Notifier.Notifications.Batching.BatchingMode.Immediate, settings.Notifications.Batching.Mode);
        Assert.Equal(new Uri("https://kv.vault.azure.net/"), settings.KeyVault.Uri);
        Assert.Equal(TimeSpan.FromSeconds(2.5), settings.KeyVault.RefreshInterval);
    }

    [Fact]
    public void AnUnreadableTimeIsReportedWithTheOtherValuesStillRead()
    {
        var settings = Load(("Mail:Host", "mail.example.com"), ("Mail:From", "noreply@example.com"), ("Mail:ConnectTimeout", "soon"), ("Mail:Port", "2525"));

        Assert.Contains("Mail__ConnectTimeout has a value of the wrong kind: 'soon'. Use seconds (e.g. 30) or a time span such as 00:00:30.", settings.Describe(), StringComparison.Ordinal);
        Assert.Equal(2525, settings.Mail.Port);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Mail.ConnectTimeout);
    }

    [Fact]
    public void AnUnusableFromIsReportedOnceEvenWithoutAHost()
    {
        var settings = Load(("Mail:From", "not an address"));

        Assert.Single(settings.Problems, p => p.Contains("Mail__From", StringComparison.Ordinal));
        Assert.Equal(NotifierSettings.LocalFrom, settings.From.ToString());
    }

    [Fact]
    public void BitbucketSettingsAreReadAndAnUnreadableSwitchIsAProblemThatKeepsTheSafeDefault()
    {
        var settings = Load(("Bitbucket:WebhookSecret", "s3cret"), ("Bitbucket:AllowUnsignedWebhooks", "yes please"));

        Assert.True(settings.Bitbucket.HasSecret);
        Assert.False(settings.Bitbucket.AllowUnsignedWebhooks);
        Assert.Contains("Bitbucket__AllowUnsignedWebhooks has a value of the wrong kind", settings.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", settings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyPortIsTheDefaultPort()
    {
        var settings = Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com"), ("Mail:Port", ""));

        Assert.True(settings.IsValid, settings.Describe());
        Assert.Equal(25, settings.Mail.EffectivePort);
    }

    [Fact]
    public void WithSmtpsAnEmptyPortIsPort465()
    {
        var settings = Load(("Mail:Host", "mail.example.com"), ("Mail:From", "a@example.com"), ("Mail:Protocol", "Smtps"), ("Mail:Port", ""));

        Assert.True(settings.IsValid, settings.Describe());
        Assert.Equal(MailProtocol.Smtps, settings.Mail.Protocol);
        Assert.Equal(465, settings.Mail.EffectivePort);
    }

    [Fact]
    public void KeyVaultSettingsAreRead()
    {
        var settings = Load(("KeyVault:Uri", "https://kv.vault.azure.net/"), ("KeyVault:RefreshInterval", "00:01:00"));

        Assert.True(settings.IsValid, settings.Describe());
        Assert.True(settings.KeyVault.IsEnabled);
        Assert.Equal("mail-password", settings.KeyVault.PasswordSecret);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.KeyVault.RefreshInterval);
    }

    [Fact]
    public void AFromThatIsNotAnAddressIsAProblem()
    {
        var settings = Load(("Mail:From", "Code Review"));

        Assert.Contains(settings.Problems, p => p.Contains("Mail__From", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("2.5", 2.5)]
    [InlineData(" 90 ", 90)]
    [InlineData("00:00:30", 30)]
    [InlineData("00:02:00", 120)]
    public void EveryTimeSettingGivenAsABareNumberIsSeconds(string value, double seconds)
    {
        var settings = Load(
            ("Mail:Host", "mail.example.com"),
            ("Mail:From", "a@example.com"),
            ("Mail:ConnectTimeout", value),
            ("Mail:CommandTimeout", value),
            ("KeyVault:Uri", "https://kv.vault.azure.net/"),
            ("KeyVault:RefreshInterval", value));

        Assert.True(settings.IsValid, settings.Describe());
        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.Mail.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.Mail.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.KeyVault.RefreshInterval);
    }

    [Fact]
    public void AnUnreadableTimeSaysBothFormsThatWork()
    {
        var settings = Load(("Mail:ConnectTimeout", "thirty"));

        Assert.False(settings.IsValid);
        Assert.Contains("Mail__ConnectTimeout", settings.Describe(), StringComparison.Ordinal);
        Assert.Contains("seconds (e.g. 30)", settings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void EachSectionIsValidatedByTheOptionsSystemWithItsOwnValidator()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "mail.example.com",
            ["Mail:From"] = "a@example.com",
            ["Mail:Port"] = "70000",
            ["Mail:MaxConnections"] = "many",
            ["Rejected:BodyContainer"] = "Not_A_Container",
            ["Notifications:SubjectPrefix"] = "[Git]",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddNotifierSettings().BuildServiceProvider();

        var mail = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MailOptions>>().Value);
        var rejected = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RejectedOptions>>().Value);

        Assert.Contains(mail.Failures, f => f.StartsWith("Mail__Port=70000 is not a TCP port", StringComparison.Ordinal));
        Assert.Contains(mail.Failures, f => f.StartsWith("Mail__MaxConnections has a value of the wrong kind", StringComparison.Ordinal));
        Assert.Single(rejected.Failures, f => f.StartsWith("Rejected__BodyContainer", StringComparison.Ordinal));
        Assert.Equal("[Git]", services.GetRequiredService<IOptions<NotificationOptions>>().Value.SubjectPrefix);
    }

    [Fact]
    public void ASectionThatFailsItsRulesStillGivesTheValuesAsWrittenAndEveryFailureOnce()
    {
        var settings = Load(("Mail:Host", "mail.example.com"), ("Mail:Port", "70000"), ("Mail:From", "a@example.com"));

        Assert.False(settings.IsValid);
        Assert.Equal("mail.example.com", settings.Mail.Host);
        Assert.Equal(70000, settings.Mail.Port);
        Assert.Single(settings.Problems);
    }
}
