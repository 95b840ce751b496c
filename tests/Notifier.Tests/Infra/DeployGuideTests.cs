using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notifier.Tests.Infra;

/// <summary>
/// docs/deploy.md against the template and the app: the commands must name files, parameters, outputs,
/// secrets and routes that exist, or the guide fails at the first step that drifted.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class DeployGuideTests
{
    private static readonly string Guide = File.ReadAllText(RepositoryLayout.DeployGuide);

    /// <summary>The shell commands of the guide, continuation lines joined.</summary>
    private static readonly IReadOnlyList<string> Commands = ReadCommands(Guide);

    private static readonly string[] SecretSettings = ["KeyVault__UsernameSecret", "KeyVault__PasswordSecret"];

    [Fact]
    public void TheGuideSetsExactlyTheSecretsTheAppIsPointedAt()
    {
        var set = Commands.Where(c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal))
            .Select(c => OptionValue(c, "--name"));
        var oauth2Application = CompiledInfra.Deploy(("mailAuthentication", "OAuth2"), ("mailOAuth2TenantId", "t"), ("mailOAuth2ClientId", "c")).AppSettings();
        var expected = SecretSettings.Select(s => CompiledInfra.Defaults.AppSettings()[s]).Append(oauth2Application["KeyVault__ClientSecretSecret"]);

        Assert.Equal(expected.Order(StringComparer.Ordinal), set.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheGuideDeploysTheTemplateAndParametersFileThatExist()
    {
        var deployments = Commands.Where(c => c.StartsWith("az deployment group ", StringComparison.Ordinal) && c.Contains("--template-file", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(deployments);
        foreach (var command in deployments)
        {
            Assert.Equal(RepositoryLayout.MainBicep, Path.Combine(RepositoryLayout.Root, OptionValue(command, "--template-file")));
            Assert.Contains("--parameters infra/main.parameters.json", command, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(RepositoryLayout.ParametersFile));
    }

    [Fact]
    public void TheGuideCompilesTheTemplateBeforeItDeploys()
    {
        var build = Assert.Single(Commands, c => c.StartsWith("az bicep build", StringComparison.Ordinal));

        Assert.Equal(RepositoryLayout.MainBicep, Path.Combine(RepositoryLayout.Root, OptionValue(build, "--file")));
        Assert.True(File.Exists(Path.Combine(RepositoryLayout.Infra, "bicepconfig.json")));
    }

    [Fact]
    public void TheGuideOverridesOnlyDeclaredParameters()
    {
        var overrides = Commands.Where(c => c.StartsWith("az deployment group ", StringComparison.Ordinal))
            .SelectMany(c => ParameterOverride().Matches(c).Select(m => m.Groups["name"].Value))
            .Concat(ProseOverride().Matches(Guide).Select(m => m.Groups["name"].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.Contains("environmentName", overrides);
        Assert.All(overrides, name => Assert.True(CompiledInfra.Main.Parameters.ContainsKey(name), $"main.bicep declares no parameter {name}"));
    }

    [Fact]
    public void TheGuideReadsOnlyOutputsTheTemplateDeclares()
    {
        var read = OutputQuery().Matches(Guide).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(read);
        Assert.All(read, name => Assert.Contains(name, CompiledInfra.Main.Outputs.Keys));
    }

    [Fact]
    public void TheGuideCallsTheTestEmailFunctionOnItsRouteWithTheMasterKey()
    {
        var function = Assert.Single(AppContract.Functions, f => f.Name == "SendTestEmail");
        var trigger = function.Bindings.Single(b => b.Type == "httpTrigger");
        var prefix = RoutePrefix();
        var expected = "/" + string.Join('/', new[] { prefix, trigger.Route ?? function.Name }.Where(p => !string.IsNullOrEmpty(p)));

        var curl = Assert.Single(Commands, c => c.StartsWith("curl", StringComparison.Ordinal) && c.Contains("azurewebsites.net", StringComparison.Ordinal));
        Assert.Contains($".azurewebsites.net{expected}?code=", curl, StringComparison.Ordinal);
        // authLevel admin accepts only the master key.
        Assert.Equal("admin", trigger.AuthLevel);
        Assert.Contains(Commands, c => c.Contains("az functionapp keys list", StringComparison.Ordinal) && c.Contains("--query masterKey", StringComparison.Ordinal));
    }

    [Fact]
    public void TheGuidePublishesWithACommandThatSupportsFlexConsumption()
    {
        // config-zip detects Flex Consumption and uses its one-deploy endpoint; WEBSITE_RUN_FROM_PACKAGE-style
        // deployments are rejected by the plan.
        Assert.Contains(Commands, c => c.StartsWith("az functionapp deployment source config-zip", StringComparison.Ordinal) && c.Contains("--src", StringComparison.Ordinal));
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE=", Guide, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGuideBuildsThePackageWithTheAppsPublishScriptAndDeploysItsZip()
    {
        var scripts = Commands.Select(c => c.Split(' ')[0]).Where(w => w.EndsWith(".sh", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Contains("src/Notifier/publish.sh", scripts);
        Assert.All(scripts, script => Assert.True(File.Exists(Path.Combine(RepositoryLayout.Root, script)), $"the guide runs {script}, which does not exist"));

        // publish.sh writes OUTPUT_DIR.zip, OUTPUT_DIR defaulting to ${1:-$root/<folder>}.
        var publish = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "src", "Notifier", "publish.sh"));
        var zip = PublishDefault().Match(publish).Groups["folder"].Value + ".zip";
        Assert.NotEqual(".zip", zip);
        Assert.Equal(zip, OptionValue(Commands.Single(c => c.StartsWith("az functionapp deployment source config-zip", StringComparison.Ordinal)), "--src"));
        Assert.Equal(zip, OptionValue(Commands.Single(c => c.Contains("infra/deploy.sh", StringComparison.Ordinal)), "--package"));
    }

    private static string RoutePrefix()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryLayout.HostFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
                ? prefix.GetString() ?? string.Empty
                : "api";
    }

    private static List<string> ReadCommands(string markdown)
    {
        var commands = new List<string>();
        foreach (Match block in BashBlock().Matches(markdown))
        {
            var pending = string.Empty;
            foreach (var rawLine in block.Groups["body"].Value.Split('\n'))
            {
                var line = rawLine.Trim();
                if (line.StartsWith('#') || line.Length == 0)
                {
                    continue;
                }

                pending += line.TrimEnd('\\').Trim() + " ";
                if (!line.EndsWith('\\'))
                {
                    commands.Add(pending.Trim());
                    pending = string.Empty;
                }
            }
        }

        return commands;
    }

    private static string OptionValue(string command, string option)
    {
        var match = Regex.Match(command, Regex.Escape(option) + @"\s+(?:""(?<v>[^""]*)""|(?<v>\S+))", RegexOptions.CultureInvariant);
        Assert.True(match.Success, $"'{option}' missing in: {command}");
        return match.Groups["v"].Value;
    }

    [GeneratedRegex(@"\$\{1:-\$root/(?<folder>[^}]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PublishDefault();

    [GeneratedRegex(@"```bash\n(?<body>.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"(?<=\s)(?<name>[A-Za-z]\w*)=(?!=)", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterOverride();

    [GeneratedRegex(@"`(?<name>[a-z]\w*)=[^`]*`", RegexOptions.CultureInvariant)]
    private static partial Regex ProseOverride();

    [GeneratedRegex(@"properties\.outputs\.(?<name>\w+)\.value", RegexOptions.CultureInvariant)]
    private static partial Regex OutputQuery();
}
