using System.Globalization;
using Microsoft.Extensions.Configuration;
using Notifier.Settings;

namespace Notifier.Tests.Settings;

/// <summary>With nothing set, every setting has the default docs/functions-app.md ("Settings") gives it.</summary>
public sealed class SettingsDefaultsTests
{
    private static readonly NotifierSettings Defaults = NotifierSettings.Load(new ConfigurationBuilder().Build());

    [Theory]
    [InlineData("Mail__ConnectTimeout", "00:00:30")]
    [InlineData("Mail__CommandTimeout", "00:01:00")]
    [InlineData("Mail__MaxConnections", "4")]
    [InlineData("Mail__OutboxDirectory", "./outbox")]
    [InlineData("Mail__Authentication", "Auto")]
    [InlineData("Mail__OAuth2__Scope", "https://outlook.office365.com/.default")]
    [InlineData("KeyVault__UsernameSecret", "mail-username")]
    [InlineData("KeyVault__PasswordSecret", "mail-password")]
    [InlineData("KeyVault__ClientSecretSecret", "mail-client-secret")]
    [InlineData("KeyVault__RefreshInterval", "00:10:00")]
    [InlineData("Rejected__MaxEnvelopeBytes", "262144")]
    [InlineData("Rejected__BodyContainer", "rejected-bodies")]
    [InlineData("Notifications__Batching__Mode", "Batched")]
    [InlineData("Notifications__Batching__QuietPeriod", "00:10:00")]
    [InlineData("Notifications__Batching__MaxDelay", "00:30:00")]
    [InlineData("Notifications__Batching__Repositories", "False")]
    [InlineData("Notifications__Batching__FlushSchedule", "0 */1 * * * *")]
    public void EachSettingLeftUnsetHasItsDocumentedDefault(string setting, string documented)
    {
        Assert.True(Defaults.IsValid, Defaults.Describe());

        Assert.Equal(documented, Value(setting));
    }

    private static string Value(string setting) => setting switch
    {
        "Mail__ConnectTimeout" => Text(Defaults.Mail.ConnectTimeout),
        "Mail__CommandTimeout" => Text(Defaults.Mail.CommandTimeout),
        "Mail__MaxConnections" => Text(Defaults.Mail.MaxConnections),
        "Mail__OutboxDirectory" => Defaults.Mail.OutboxDirectory,
        "Mail__Authentication" => Defaults.Mail.Authentication.ToString(),
        "Mail__OAuth2__Scope" => Defaults.Mail.OAuth2.Scope,
        "KeyVault__UsernameSecret" => Defaults.KeyVault.UsernameSecret,
        "KeyVault__PasswordSecret" => Defaults.KeyVault.PasswordSecret,
        "KeyVault__ClientSecretSecret" => Defaults.KeyVault.ClientSecretSecret,
        "KeyVault__RefreshInterval" => Text(Defaults.KeyVault.RefreshInterval),
        "Rejected__MaxEnvelopeBytes" => Text(Defaults.Rejected.MaxEnvelopeBytes),
        "Rejected__BodyContainer" => Defaults.Rejected.BodyContainer,
        "Notifications__Batching__Mode" => Defaults.Notifications.Batching.Mode.ToString(),
        "Notifications__Batching__QuietPeriod" => Text(Defaults.Notifications.Batching.QuietPeriod),
        "Notifications__Batching__MaxDelay" => Text(Defaults.Notifications.Batching.MaxDelay),
        "Notifications__Batching__Repositories" => Defaults.Notifications.Batching.Repositories.ToString(),
        "Notifications__Batching__FlushSchedule" => Defaults.Notifications.Batching.FlushSchedule,
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "no such setting in this test"),
    };

    private static string Text(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
