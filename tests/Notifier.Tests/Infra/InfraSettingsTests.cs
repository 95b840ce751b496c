using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Notifier.Tests.Infra;

/// <summary>
/// The app settings infra writes against the settings the app reads (its options classes, README.md "Configuration", and
/// local.settings.json.example): nothing missing, nothing unknown, the same secret names and defaults.
/// </summary>
[Trait("Category", "Integration")]
public sealed class InfraSettingsTests
{
    /// <summary>Read by the app but deliberately never written by infra: they come from Key Vault.</summary>
    private static readonly string[] KeyVaultCredentials = ["Mail__Username", "Mail__Password"];

    /// <summary>
    /// Every setting infra writes when each optional value is given (an empty value leaves its setting out), with
    /// password authentication and with OAuth2 (whose settings replace the username and password secrets).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> Settings = CompiledInfra.DeployWithEveryOption().AppSettings()
        .Concat(CompiledInfra.DeployWithEveryOption(("mailAuthentication", "OAuth2")).AppSettings())
        .GroupBy(s => s.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);

    private static IEnumerable<string> InfraAppOwnedSettings => Settings.Keys
        .Where(k => AppContract.Sections.Any(s => k.StartsWith(s + "__", StringComparison.Ordinal)));

    [Fact]
    public void TheAppOptionsOfEverySectionAreFound()
    {
        // Guards the tests below: with no options type found they would compare empty sets.
        Assert.Equal(AppContract.Sections.Order(StringComparer.Ordinal), AppContract.OptionsTypes
            .Select(t => (string)t.GetField("SectionName")!.GetRawConstantValue()!).Order(StringComparer.Ordinal));
        Assert.Contains("Mail__Host", AppContract.Settings);
    }

    [Fact]
    public void InfraSetsEverySettingTheAppReadsExceptTheCredentials()
    {
        var missing = AppContract.Settings.Except(KeyVaultCredentials).Except(InfraAppOwnedSettings).Order(StringComparer.Ordinal);

        Assert.Empty(missing);
    }

    [Fact]
    public void InfraSetsNoSettingTheAppDoesNotRead()
    {
        var unknown = InfraAppOwnedSettings.Except(AppContract.Settings).Order(StringComparer.Ordinal);

        Assert.Empty(unknown);
    }

    [Fact]
    public void InfraSetsEverySettingOfTheLocalExampleThatAzureNeeds()
    {
        // Local-only settings and what replaces each in Azure: Flex Consumption rejects
        // FUNCTIONS_WORKER_RUNTIME (functionAppConfig.runtime says "custom"), and the two connection strings
        // become identity-based settings under the same prefix.
        var replacedInAzure = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = null,
            ["AzureWebJobsStorage"] = "AzureWebJobsStorage__credential",
            ["ServiceBusConnection"] = "ServiceBusConnection__credential",
            ["Mail__Username"] = "KeyVault__UsernameSecret",
            ["Mail__Password"] = "KeyVault__PasswordSecret",
        };
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryLayout.LocalSettingsExample));
        var names = document.RootElement.GetProperty("Values").EnumerateObject().Select(v => v.Name).ToList();

        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            if (replacedInAzure.TryGetValue(name, out var replacement))
            {
                // With OAuth2 the username is the mailbox, a plain setting (see WithOAuth2TheMailboxIsASettingAndNoPasswordSecretIsReferenced).
                Assert.True(name == "Mail__Username" || !Settings.ContainsKey(name), $"{name} is written by infra");
                Assert.True(replacement is null || Settings.ContainsKey(replacement), $"{name} is replaced by {replacement}, which infra does not set");
            }
            else
            {
                Assert.True(Settings.ContainsKey(name), $"{name} (local.settings.json.example) is not set by infra");
            }
        }
    }

    [Fact]
    public void MailCredentialsComeOnlyFromKeyVault()
    {
        Assert.DoesNotContain(CompiledInfra.DeployWithEveryOption().AppSettings().Keys, KeyVaultCredentials.Contains);
        Assert.DoesNotContain("Mail__Password", InfraAppOwnedSettings);
        var deployment = CompiledInfra.Deployment;
        Assert.Equal(deployment.Single("Microsoft.KeyVault/vaults").Runtime("vaultUri"), deployment.AppSettings()["KeyVault__Uri"]);
        Assert.DoesNotContain("KeyVault__Uri", CompiledInfra.Deploy(("mailUseKeyVaultCredentials", false)).AppSettings().Keys);
    }

    [Fact]
    public void WithOAuth2TheMailboxIsASettingAndNoPasswordSecretIsReferenced()
    {
        var settings = CompiledInfra.Deploy(("mailAuthentication", "OAuth2"), ("mailOAuth2Mailbox", "notifier@contoso.com")).AppSettings();

        Assert.Equal("OAuth2", settings["Mail__Authentication"]);
        Assert.Equal("notifier@contoso.com", settings["Mail__Username"]);
        Assert.Equal(Property(new Notifier.Smtp.Options.MailOAuth2Options(), "Scope"), settings["Mail__OAuth2__Scope"]);
        // The managed identity needs no vault: neither a password nor a username secret is referenced.
        Assert.DoesNotContain(settings.Keys, k => k is "Mail__Password" or "KeyVault__Uri" or "KeyVault__UsernameSecret" or "KeyVault__PasswordSecret"
            or "Mail__OAuth2__TenantId" or "Mail__OAuth2__ClientId");
        var app = Notifier.Settings.NotifierSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => AppContract.Sections.Any(section => s.Key.StartsWith(section + "__", StringComparison.Ordinal)))
                .Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build());
        Assert.True(app.IsValid, app.Describe());
    }

    [Fact]
    public void WithAnEntraApplicationOnlyItsClientSecretIsReadFromTheVault()
    {
        var deployment = CompiledInfra.Deploy(
            ("mailAuthentication", "OAuth2"),
            ("mailOAuth2Mailbox", "notifier@contoso.com"),
            ("mailOAuth2TenantId", "contoso.onmicrosoft.com"),
            ("mailOAuth2ClientId", "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"));
        var settings = deployment.AppSettings();

        Assert.Equal("contoso.onmicrosoft.com", settings["Mail__OAuth2__TenantId"]);
        Assert.Equal("6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b", settings["Mail__OAuth2__ClientId"]);
        Assert.Equal(deployment.Single("Microsoft.KeyVault/vaults").Runtime("vaultUri"), settings["KeyVault__Uri"]);
        Assert.Equal(Property(AppContract.DefaultOptions("KeyVault"), "ClientSecretSecret"), settings["KeyVault__ClientSecretSecret"]);
        Assert.DoesNotContain(settings.Keys, k => k is "Mail__Password" or "KeyVault__UsernameSecret" or "KeyVault__PasswordSecret");
    }

    [Theory]
    [InlineData("mailOAuth2TenantId", "contoso.onmicrosoft.com")]
    [InlineData("mailOAuth2ClientId", "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b")]
    public void HalfAnEntraApplicationIsRefusedAtDeploymentNotReplacedByTheManagedIdentity(string parameter, string value)
    {
        var error = Assert.Throws<ArmDeploymentFailedException>(() => CompiledInfra.Deploy(
            ("mailAuthentication", "OAuth2"),
            ("mailOAuth2Mailbox", "notifier@contoso.com"),
            (parameter, value)).AppSettings());

        Assert.Equal(
            "mailOAuth2TenantId and mailOAuth2ClientId go together: set both (an Entra application signs in) or neither (the app's managed identity signs in)",
            error.Message);
    }

    [Fact]
    public void TheHalfPairTheTemplateRefusesIsOneTheAppRefusesToo()
    {
        var app = Notifier.Settings.NotifierSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Mail:Host"] = "smtp.office365.com",
                ["Mail:From"] = "noreply@contoso.com",
                ["Mail:Authentication"] = "OAuth2",
                ["Mail:Username"] = "notifier@contoso.com",
                ["Mail:OAuth2:TenantId"] = "contoso.onmicrosoft.com",
            })
            .Build());

        Assert.False(app.IsValid);
        Assert.Contains("Mail__OAuth2__ClientId", app.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyVault__UsernameSecret", "UsernameSecret")]
    [InlineData("KeyVault__PasswordSecret", "PasswordSecret")]
    public void SecretNamesDefaultToTheNamesTheAppReads(string setting, string property)
    {
        var appDefault = Property(AppContract.DefaultOptions("KeyVault"), property);

        Assert.Equal(appDefault, CompiledInfra.Defaults.AppSettings()[setting]);
    }

    [Theory]
    [InlineData("Mail__Protocol", "Mail", "Protocol")]
    [InlineData("Mail__Tls", "Mail", "Tls")]
    [InlineData("Mail__ConnectTimeout", "Mail", "ConnectTimeout")]
    [InlineData("Mail__CommandTimeout", "Mail", "CommandTimeout")]
    [InlineData("Mail__MaxConnections", "Mail", "MaxConnections")]
    [InlineData("Mail__AllowPlaintextAuth", "Mail", "AllowPlaintextAuth")]
    [InlineData("KeyVault__RefreshInterval", "KeyVault", "RefreshInterval")]
    [InlineData("Rejected__MaxEnvelopeBytes", "Rejected", "MaxEnvelopeBytes")]
    [InlineData("Rejected__BodyContainer", "Rejected", "BodyContainer")]
    [InlineData("Bitbucket__AllowUnsignedWebhooks", "Bitbucket", "AllowUnsignedWebhooks")]
    [InlineData("Mail__Authentication", "Mail", "Authentication")]
    [InlineData("Notifications__Batching__Mode", "Notifications", "Batching.Mode")]
    [InlineData("Notifications__Batching__QuietPeriod", "Notifications", "Batching.QuietPeriod")]
    [InlineData("Notifications__Batching__MaxDelay", "Notifications", "Batching.MaxDelay")]
    [InlineData("Notifications__Batching__Repositories", "Notifications", "Batching.Repositories")]
    [InlineData("Notifications__Batching__FlushSchedule", "Notifications", "Batching.FlushSchedule")]
    public void InfraDefaultsAreTheAppDefaults(string setting, string section, string property)
    {
        // A deployment that keeps the template defaults behaves as README.md "Configuration" documents.
        var options = AppContract.DefaultOptions(section);
        foreach (var parent in property.Split('.')[..^1])
        {
            options = options.GetType().GetProperty(parent, BindingFlags.Public | BindingFlags.Instance)!.GetValue(options)!;
        }

        var appDefault = Property(options, property.Split('.')[^1]);
        var infraDefault = CompiledInfra.Defaults.AppSettings()[setting];

        Assert.Equal(appDefault, infraDefault, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void TheContainerForRejectedBodiesExistsInTheStorageTheAppReachesAsBlobDataOwner()
    {
        var settings = CompiledInfra.Deployment.AppSettings();
        var container = CompiledInfra.Deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Single(c => c.ShortName == settings["Rejected__BodyContainer"]);
        var account = CompiledInfra.Deployment.Single("Microsoft.Storage/storageAccounts");

        Assert.StartsWith(account.Name + "/", container.Name, StringComparison.Ordinal);
        // The app writes the blobs by identity (AzureWebJobsStorage__blobServiceUri), with the role it has on the whole account.
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains(CompiledInfra.Deployment.RoleAssignments().On(account), a => (a.PrincipalId, a.RoleName) == (CompiledInfra.Deployment.AppPrincipalId(), BuiltInRoles.StorageBlobDataOwner));
    }

    [Fact]
    public void TheHandlersGen0BudgetIsCappedWhateverTheHostsCacheSize()
    {
        // Left to the runtime, gen0's budget follows the L3 cache size the host reports (hundreds of MB on cloud
        // VMs) and the handler's memory grows by that much under load. The runtime reads the cap only from the
        // environment, so it must be an app setting.
        var value = CompiledInfra.Deployment.AppSettings()["DOTNET_GCgen0size"];

        Assert.StartsWith("0x", value, StringComparison.Ordinal);
        var bytes = long.Parse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.InRange(bytes, 1L << 20, 16L << 20);
    }

    [Fact]
    public void TheRuntimeKnobsOfTheLocalExampleAreTheOnesInfraSets()
    {
        // Tests and benchmarks start `serve` with the local example's DOTNET_* values, taken as the deployed ones.
        var local = Support.DeployedRuntimeSettings.Read(RepositoryLayout.LocalSettingsExample);
        var infra = CompiledInfra.Deployment.AppSettings().Where(s => s.Key.StartsWith("DOTNET_", StringComparison.Ordinal));

        Assert.NotEmpty(local);
        Assert.Equal(local.OrderBy(s => s.Key, StringComparer.Ordinal), infra.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)).OrderBy(s => s.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void SocketCompletionsRunInlineInTheHandler()
    {
        Assert.Equal("1", CompiledInfra.Deployment.AppSettings()["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"]);
    }

    [Fact]
    public void TheWebhookSecretIsAKeyVaultReferenceResolvedWithTheAppIdentity()
    {
        var deployment = CompiledInfra.Deployment;
        var vault = deployment.Single("Microsoft.KeyVault/vaults");
        var site = deployment.Single("Microsoft.Web/sites");
        var identity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities");

        Assert.Equal($"@Microsoft.KeyVault(VaultName={vault.ShortName};SecretName=bitbucket-webhook-secret)", deployment.AppSettings()["Bitbucket__WebhookSecret"]);
        Assert.Equal(identity.Id, site.GetText("properties.keyVaultReferenceIdentity"));
        Assert.Contains("--name bitbucket-webhook-secret ", File.ReadAllText(Path.Combine(RepositoryLayout.Infra, "deploy.sh")), StringComparison.Ordinal);
    }

    [Fact]
    public void AzureIdentityFindsTheUserAssignedIdentity()
    {
        // The app builds its Key Vault credential from AZURE_CLIENT_ID when it runs in Azure.
        Assert.Equal(CompiledInfra.Deployment.AppClientId(), CompiledInfra.Deployment.AppSettings()["AZURE_CLIENT_ID"]);
    }

    private static string? Property(object options, string name)
    {
        var value = options.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.GetValue(options);
        return value switch
        {
            TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
            bool flag => flag ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value?.ToString(),
        };
    }
}
