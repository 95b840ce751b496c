using System.Diagnostics;

namespace Notifier.Tests.Infra;

/// <summary>
/// infra/deploy.sh run for real by bash, with stand-ins for the two external programs it drives (az and
/// curl) that record their arguments and answer like the real ones: the order of the steps, the arguments
/// that must match the template, and the failure paths.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeployScriptTests : IDisposable
{
    private const string Password = "s3cret-Pa55word";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("notifier-deploy-");

    public DeployScriptTests()
    {
        WriteExecutable("az", """
            #!/usr/bin/env bash
            printf '%s\n' "$*" >> "$FAKE_LOG"
            case "$*" in
              "bicep build --file "*)
                # The real compiler, as az runs it (az bicep build --file F --stdout).
                if [[ -n "${FAKE_BICEP_ERROR:-}" ]]; then echo "$FAKE_BICEP_ERROR" >&2; exit 1; fi
                "$REAL_BICEP" build "$4" --stdout ;;
              "ad signed-in-user show"*) echo deployer-object-id ;;
              "deployment group show"*"--query name --output none"*)
                if [[ -n "${FAKE_NO_DEPLOYMENT:-}" ]]; then
                  echo "(DeploymentNotFound) Deployment 'notifier' could not be found." >&2; exit 3
                fi ;;
              *"properties.outputs.identityClientId.value"*) echo client-id-of-the-identity ;;
              *"properties.outputs.identityPrincipalId.value"*) echo object-id-of-the-identity ;;
              *"properties.outputs.functionAppName.value"*) echo func-notifier-abc ;;
              *"properties.outputs.keyVaultName.value"*) echo kv-abc ;;
              "functionapp keys list"*) echo master-key ;;
              "keyvault secret show"*)
                if [[ -n "${FAKE_NO_WEBHOOK_SECRET:-}" ]]; then
                  echo "(SecretNotFound) A secret with (name/id) bitbucket-webhook-secret was not found in this key vault." >&2; exit 3
                fi ;;
              "keyvault secret set"*)
                if [[ -n "${FAKE_FORBIDDEN_ONCE:-}" && ! -e "$FAKE_LOG.forbidden" ]]; then
                  touch "$FAKE_LOG.forbidden"; echo "(Forbidden) caller is not authorized" >&2; exit 1
                fi ;;
            esac
            """);
        WriteExecutable("curl", """
            #!/usr/bin/env bash
            printf 'curl %s\n' "$*" >> "$FAKE_LOG"
            while [[ $# -gt 0 ]]; do
              if [[ "$1" == "--output" ]]; then printf '{"outcome":"fake"}' > "$2"; fi
              shift
            done
            printf '%s' "${FAKE_STATUS:-200}"
            """);
        Package = Path.Combine(_folder.FullName, "notifier.zip");
        File.WriteAllText(Package, "zip");
    }

    private string Package { get; }

    private string Log => Path.Combine(_folder.FullName, "calls.log");

    [Fact]
    public void RunsTheGuideStepsInOrderAgainstTheTemplate()
    {
        var result = Run(["--resource-group", "rg", "--location", "swedencentral", "--environment", "test", "--package", Package,
            "--test-to", "admin@example.com", "--parameter", "accountProducerPrincipalIds=[\"identity-id\"]"]);

        Assert.True(result.ExitCode == 0, result.Output);
        var calls = Calls();
        Assert.Equal(
            ["bicep build", "group create", "ad signed-in-user show", "deployment group create", "deployment group show", "deployment group show",
             "keyvault secret set", "keyvault secret set", "keyvault secret show", "functionapp deployment source config-zip", "functionapp keys list", "curl"],
            calls.Select(Command));
        var create = calls.Single(c => c.StartsWith("deployment group create", StringComparison.Ordinal));
        Assert.Contains($"--template-file {RepositoryLayout.MainBicep} --parameters {RepositoryLayout.ParametersFile} --parameters ", create, StringComparison.Ordinal);
        Assert.Contains("environmentName=test deployerPrincipalId=deployer-object-id accountProducerPrincipalIds=[\"identity-id\"]", create, StringComparison.Ordinal);
        Assert.Equal($"bicep build --file {RepositoryLayout.MainBicep} --stdout", calls[0]);
        Assert.Contains("--vault-name kv-abc --name mail-username --value notifier@example.com", calls[6], StringComparison.Ordinal);
        Assert.Contains($"--vault-name kv-abc --name mail-password --value {Password}", calls[7], StringComparison.Ordinal);
        Assert.Contains("--vault-name kv-abc --name bitbucket-webhook-secret", calls[8], StringComparison.Ordinal);
        Assert.Contains($"--name func-notifier-abc --src {Package}", calls[9], StringComparison.Ordinal);
        Assert.Contains("https://func-notifier-abc.azurewebsites.net/api/mail/test?code=master-key", calls[11], StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithOAuth2NoPasswordIsAskedForOrStored()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package, "--oauth2-mailbox", "notifier@contoso.com"]);

        Assert.True(result.ExitCode == 0, result.Output);
        var calls = Calls();
        Assert.DoesNotContain(calls, c => c.StartsWith("keyvault secret set", StringComparison.Ordinal));
        var create = calls.Single(c => c.StartsWith("deployment group create", StringComparison.Ordinal));
        Assert.Contains("mailAuthentication=OAuth2 mailOAuth2Mailbox=notifier@contoso.com", create, StringComparison.Ordinal);
        Assert.True(CompiledInfra.Main.Parameters.ContainsKey("mailAuthentication"));
        Assert.True(CompiledInfra.Main.Parameters.ContainsKey("mailOAuth2Mailbox"));
        Assert.Contains("SMTP.SendAsApp", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnonymousSmtpAndAnOAuth2MailboxExcludeEachOther()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package,
            "--anonymous-smtp", "--oauth2-mailbox", "notifier@contoso.com"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("deploy.sh: --anonymous-smtp and --oauth2-mailbox exclude each other", result.Output, StringComparison.Ordinal);
        Assert.Empty(Calls());
    }

    [Fact]
    public void WithOAuth2TheRunThatCreatesTheIdentityLeavesTheTestEmailForAfterTheExchangeSteps()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package,
            "--oauth2-mailbox", "notifier@contoso.com", "--test-to", "admin@contoso.com"], ("FAKE_NO_DEPLOYMENT", "1"));

        Assert.True(result.ExitCode == 0, result.Output);
        var calls = Calls();
        Assert.DoesNotContain(calls, c => c.StartsWith("curl", StringComparison.Ordinal));
        Assert.Contains("functionapp deployment source config-zip", calls.Select(Command));
        Assert.Contains("Exchange Online steps of docs/deploy.md", result.Output, StringComparison.Ordinal);
        Assert.Contains("MI_CLIENT_ID=client-id-of-the-identity", result.Output, StringComparison.Ordinal);
        Assert.Contains("MI_OBJECT_ID=object-id-of-the-identity", result.Output, StringComparison.Ordinal);
        Assert.Contains("KEY=$(az functionapp keys list --resource-group rg --name func-notifier-abc --query masterKey --output tsv)", result.Output, StringComparison.Ordinal);
        Assert.Contains("curl -X POST \"https://func-notifier-abc.azurewebsites.net/api/mail/test?code=$KEY\" -H \"Content-Type: application/json\" -d '{\"to\":\"admin@contoso.com\"}'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithOAuth2ALaterRunSendsTheTestEmail()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package,
            "--oauth2-mailbox", "notifier@contoso.com", "--test-to", "admin@contoso.com"]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains(Calls(), c => c.StartsWith("curl", StringComparison.Ordinal) && c.Contains("{\"to\":\"admin@contoso.com\"}", StringComparison.Ordinal));
        Assert.DoesNotContain("MI_OBJECT_ID", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ItsOverridesAndSecretNamesAreTheTemplates()
    {
        Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package, "--anonymous-smtp"]);
        var create = Calls().Single(c => c.StartsWith("deployment group create", StringComparison.Ordinal));
        var overrides = create.Split(' ').Where(t => t.Contains('=', StringComparison.Ordinal)).Select(t => t[..t.IndexOf('=', StringComparison.Ordinal)]);
        Assert.All(overrides, name => Assert.True(CompiledInfra.Main.Parameters.ContainsKey(name), $"main.bicep declares no parameter {name}"));

        var script = File.ReadAllText(Path.Combine(RepositoryLayout.Infra, "deploy.sh"));
        Assert.Contains($"--name {CompiledInfra.Defaults.AppSettings()["KeyVault__UsernameSecret"]} ", script, StringComparison.Ordinal);
        Assert.Contains($"--name {CompiledInfra.Defaults.AppSettings()["KeyVault__PasswordSecret"]} ", script, StringComparison.Ordinal);
    }

    [Fact]
    public void AnonymousSmtpSetsNoSecretAndTellsTheTemplate()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package, "--anonymous-smtp"]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("keyvault secret set", StringComparison.Ordinal));
        Assert.Contains("mailUseKeyVaultCredentials=false", Calls().Single(c => c.StartsWith("deployment group create", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void SecretWritesAreRetriedWhileTheNewRoleAssignmentPropagates()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package],
            ("FAKE_FORBIDDEN_ONCE", "1"));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(3, Calls().Count(c => c.StartsWith("keyvault secret set", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheWebhookSecretIsCreatedOnceWithARandomValueThatIsNeverPrinted()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package, "--anonymous-smtp"],
            ("FAKE_NO_WEBHOOK_SECRET", "1"));

        Assert.True(result.ExitCode == 0, result.Output);
        var set = Assert.Single(Calls(), c => c.StartsWith("keyvault secret set", StringComparison.Ordinal));
        var value = set.Split(' ')[Array.IndexOf(set.Split(' '), "--value") + 1];
        Assert.Matches("^[0-9a-f]{64}$", value);
        Assert.Contains("--vault-name kv-abc --name bitbucket-webhook-secret", set, StringComparison.Ordinal);
        Assert.DoesNotContain(value, result.Output, StringComparison.Ordinal);
        Assert.Contains("bitbucket-webhook-secret created", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExistingWebhookSecretIsLeftAsItIs()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package, "--anonymous-smtp"]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Single(Calls(), c => c.StartsWith("keyvault secret show --vault-name kv-abc --name bitbucket-webhook-secret", StringComparison.Ordinal));
        Assert.Contains("bitbucket-webhook-secret exists; left as it is", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedTestEmailFailsTheDeployment()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package, "--test-to", "a@example.com"],
            ("FAKE_STATUS", "502"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HTTP 502", result.Output, StringComparison.Ordinal);
        Assert.Contains("{\"outcome\":\"fake\"}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ATemplateThatDoesNotCompileStopsBeforeAnythingIsCreated()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Package],
            ("FAKE_BICEP_ERROR", "main.bicep(3,7) : Error no-unused-params: Parameter \"x\" is declared but never used."));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-unused-params", result.Output, StringComparison.Ordinal);
        Assert.Contains("nothing was created", result.Output, StringComparison.Ordinal);
        Assert.Equal(["bicep build"], Calls().Select(Command));
    }

    [Fact]
    public void AMissingPackageStopsBeforeAnythingIsCreated()
    {
        var result = Run(["--resource-group", "rg", "--location", "l", "--environment", "e", "--package", Path.Combine(_folder.FullName, "missing.zip")]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not found", result.Output, StringComparison.Ordinal);
        Assert.Empty(Calls());
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static string Command(string call)
    {
        var words = call.Split(' ');
        return call.StartsWith("curl", StringComparison.Ordinal) ? "curl"
            : string.Join(' ', words.TakeWhile(w => !w.StartsWith('-')));
    }

    private List<string> Calls() => File.Exists(Log) ? [.. File.ReadAllLines(Log)] : [];

    private (int ExitCode, string Output) Run(string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryLayout.Infra, "deploy.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = _folder.FullName + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_LOG"] = Log;
        start.Environment["REAL_BICEP"] = BicepCli.Executable;
        start.Environment["MAIL_USERNAME"] = "notifier@example.com";
        start.Environment["MAIL_PASSWORD"] = Password;
        start.Environment["DEPLOY_RETRY_SECONDS"] = "0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Generous: the pre-flight runs the real Bicep compiler, which takes seconds on a loaded 2-core machine.
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("deploy.sh did not finish within 3 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private void WriteExecutable(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, content.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        // The project targets Linux (bash, the Functions host); Windows has no execute bit to set.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
