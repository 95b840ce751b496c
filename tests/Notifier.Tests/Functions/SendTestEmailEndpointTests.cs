using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.KeyVault;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;
using NSubstitute;

namespace Notifier.Tests.Functions;

public sealed class SendTestEmailEndpointTests
{
    private static (int Status, JsonElement Body) Response(InvocationAnswer answer)
    {
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var res = answer.Outputs.GetProperty("res");
        Assert.Equal("application/json; charset=utf-8", res.GetProperty("headers").GetProperty("Content-Type").GetString());
        return (res.GetProperty("statusCode").GetInt32(), JsonDocument.Parse(res.GetProperty("body").GetString()!).RootElement.Clone());
    }

    [Theory]
    [InlineData("{\"to\": \"not an address\"}")]
    [InlineData("{\"to\": \"\"}")]
    [InlineData("{\"recipient\": \"admin@example.com\"}")]
    [InlineData("this is not json")]
    [InlineData("[\"admin@example.com\"]")]
    public async Task ABadRequestIsAnswered400WithTheErrorAndAHint(string body)
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http(body)));

        Assert.Equal(400, status);
        Assert.False(report.GetProperty("sent").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(report.GetProperty("error").GetString()));
        Assert.Contains("to", report.GetProperty("hint").GetString(), StringComparison.Ordinal);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutAMailHostTheTestEmailIsWrittenToTheOutboxAndSaysSo(bool bodyAsObject)
    {
        var outbox = Directory.CreateTempSubdirectory("notifier-outbox-").FullName;
        await using var factory = new HandlerFactory(new Dictionary<string, string?> { ["Mail:OutboxDirectory"] = outbox });
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}", bodyAsObject)));

        Assert.Equal(200, status);
        Assert.Equal("written-to-outbox", report.GetProperty("outcome").GetString());
        Assert.Contains("Mail__Host", report.GetProperty("hint").GetString(), StringComparison.Ordinal);
        await factory.Transport.Received(1).SendAsync(Arg.Is<EmailMessage>(m => m.To[0].Address == "admin@example.com"), Arg.Any<CancellationToken>());
    }

    [Theory]
    [Trait("Category", "Integration")]
    [InlineData("data-451", "DATA", "refused the message after DATA: 451 4.3.0 Error: queue file write error")]
    [InlineData("refuse-rcpt=admin@example.com", "RCPT", "refused every recipient: admin@example.com (550 5.1.1 <admin@example.com>: Recipient address rejected")]
    public async Task WhenTheMailServerRefusesTheTestEmailTheAnswerCarriesItsReplyWith502(string fault, string stage, string told)
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = [fault] });
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Tls"] = "None",
            ["Mail:From"] = "noreply@example.com",
        });
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}")));

        Assert.Equal(502, status);
        Assert.False(report.GetProperty("sent").GetBoolean());
        Assert.Equal("server-failed", report.GetProperty("outcome").GetString());
        var error = report.GetProperty("error").GetString()!;
        Assert.Contains(told, error, StringComparison.Ordinal);
        var failed = report.GetProperty("stages").EnumerateArray().Last();
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal(stage, failed.GetProperty("stage").GetString());
        Assert.Contains(failed.GetProperty("serverReply").GetString()!, error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task WhenTheTenantHasBasicAuthenticationOffThePasswordIsRefusedWith535_5_7_139AndThe502SaysSo()
    {
        await using var smtp = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Auth = "notifier@contoso.com:the-password",
            AllowPlaintextAuth = true,
            Faults = ["auth-basic-disabled"],
        });
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Tls"] = "None",
            ["Mail:AllowPlaintextAuth"] = "true",
            ["Mail:From"] = "noreply@contoso.com",
            ["Mail:Username"] = "notifier@contoso.com",
            ["Mail:Password"] = "the-password",
        });
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}")));

        Assert.Equal(502, status);
        Assert.False(report.GetProperty("sent").GetBoolean());
        Assert.Contains("535 5.7.139", report.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("Basic authentication (username and password) for SMTP turned off; use Mail__Authentication=OAuth2", report.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("set Mail__Authentication=OAuth2", report.GetProperty("hint").GetString(), StringComparison.Ordinal);
        var failed = report.GetProperty("stages").EnumerateArray().Last();
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal("AUTH", failed.GetProperty("stage").GetString());
        Assert.DoesNotContain("the-password", report.GetRawText(), StringComparison.Ordinal);
        Assert.False(smtp.MailFromEverSent);
    }

    [Theory]
    [InlineData(false, "access was denied (403 Forbidden)", "Key Vault Secrets User")]
    [InlineData(true, "the vault could not be reached", "network path")]
    public async Task WhenKeyVaultCannotBeReadTheTestEmailSaysSoPlainlyWith503(bool unreachable, string reason, string fix)
    {
        using var vault = unreachable ? new ScriptedKeyVault { Unreachable = true } : new ScriptedKeyVault { FailWith = HttpStatusCode.Forbidden };
        await using var factory = new HandlerFactory(
            new Dictionary<string, string?>
            {
                ["Mail:Host"] = "mail.example.test",
                ["Mail:From"] = "noreply@example.com",
                ["KeyVault:Uri"] = ScriptedKeyVault.VaultUri.ToString(),
            },
            // With Azure's retries: an unreachable vault then ends in an AggregateException.
            services => services.AddSingleton(new KeyVaultMailCredentials(vault.CreateClient(maxRetries: 2), new KeyVaultOptions { Uri = ScriptedKeyVault.VaultUri }, TimeProvider.System, NullLogger<KeyVaultMailCredentials>.Instance)));
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}")));

        Assert.Equal(503, status);
        Assert.Equal("credentials-unavailable", report.GetProperty("outcome").GetString());
        var error = report.GetProperty("error").GetString()!;
        Assert.Contains($"could not be read from Key Vault {ScriptedKeyVault.VaultUri} (secret 'mail-username')", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains(fix, report.GetProperty("hint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenKeyVaultCannotBeReadQueueEventsAreDroppedWithThatReason()
    {
        using var vault = new ScriptedKeyVault { Unreachable = true };
        var credentials = new KeyVaultMailCredentials(vault.CreateClient(maxRetries: 2), new KeyVaultOptions { Uri = ScriptedKeyVault.VaultUri }, TimeProvider.System, NullLogger<KeyVaultMailCredentials>.Instance);
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "mail.example.test",
            ["Mail:From"] = "noreply@example.com",
            ["KeyVault:Uri"] = ScriptedKeyVault.VaultUri.ToString(),
        });
        // The SMTP transport asks its credential provider before AUTH; this one does exactly that.
        factory.Transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>()).Returns(async call =>
        {
            await credentials.GetCredentialsAsync(refresh: false, call.Arg<CancellationToken>());
            return new Smtp.SendResult(call.Arg<EmailMessage>().Recipients, [], "250 ok");
        });
        using var client = factory.CreateClient();

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "kv-1", HostEncoding.Binary));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("dropped", answer.Outcome);
        Assert.Contains(answer.Logs, l => l.Contains("(secret 'mail-username'): the vault could not be reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithUnusableSettingsTheTestEmailListsThemWith500()
    {
        await using var factory = new HandlerFactory(new Dictionary<string, string?> { ["Mail:Host"] = "mail.example.test", ["Mail:Protocol"] = "Pigeon" });
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}")));

        Assert.Equal(500, status);
        Assert.Contains("Mail__Protocol", report.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("Mail__From", report.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsTheCredentialsCannotBeBuiltFromAreAnsweredWithTheProblem()
    {
        // An Entra application reads its client secret from Key Vault; without KeyVault__Uri the credentials
        // cannot even be created, so the handler must answer before it asks for the mail tester.
        await using var factory = new HandlerFactory(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "smtp.office365.com",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Mail:Authentication"] = "OAuth2",
            ["Mail:Username"] = "noreply@example.com",
            ["Mail:OAuth2:TenantId"] = "00000000-0000-0000-0000-000000000001",
            ["Mail:OAuth2:ClientId"] = "00000000-0000-0000-0000-000000000002",
        });
        using var client = factory.CreateClient();

        var (status, report) = Response(await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@example.com\"}")));

        Assert.Equal(500, status);
        Assert.Contains("set KeyVault__Uri", report.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
