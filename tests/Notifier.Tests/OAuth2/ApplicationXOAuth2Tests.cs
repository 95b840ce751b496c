using System.Globalization;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Support;

namespace Notifier.Tests.OAuth2;

/// <summary>
/// <c>Mail__Authentication=OAuth2</c> with an Entra application, end to end in the <c>notifier</c> process: with
/// <c>Mail__OAuth2__TenantId</c> and <c>Mail__OAuth2__ClientId</c> set it reads the client secret from Key Vault
/// (<see cref="LoopbackKeyVault"/>; the managed identity of <see cref="ManagedIdentityEndpoint"/> is there as in Azure),
/// asks Entra ID for a token with it (<see cref="EntraTokenEndpoint"/>, found through <c>AZURE_AUTHORITY_HOST</c>),
/// and sends to an aiosmtpd server that offers only AUTH XOAUTH2 and checks the exact SASL payload. The process
/// trusts the test CA for https through <c>SSL_CERT_FILE</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ApplicationXOAuth2Tests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    private const string Mailbox = "notifier@contoso.com";
    private const string Tenant = "8f3c1b2a-4d5e-4f60-9a7b-1c2d3e4f5a6b";
    private const string Client = "2b7e9c4d-1a3f-4e5b-8c6d-7e8f9a0b1c2d";
    private const string SecretName = "smtp-app-secret";

    [Fact]
    public async Task WithTenantAndClientSetTheApplicationsTokenMadeWithTheVaultsSecretIsTheXOAuth2Token()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var vault = await LoopbackKeyVault.StartAsync(certificates.Localhost);
        await using var entra = await EntraTokenEndpoint.StartAsync(certificates.Localhost);
        vault.SetSecret(SecretName, "secret-1");
        entra.AcceptedSecrets = ["secret-1"];
        // Only the application's token is accepted, never one from the managed identity (token-N).
        await using var smtp = await StartServerAsync("app-token-1");

        var (exitCode, output) = await DeliverOneAsync(Environment(identity, vault, entra, smtp));

        Assert.True(exitCode == 0, output);
        Assert.Contains("delivered 1, dropped 0, rejected 0", output, StringComparison.Ordinal);
        var session = Assert.Single(smtp.Sessions, s => s.XOAuth2 is not null);
        Assert.Equal("accepted", session.XOAuth2);
        Assert.Equal(1, session.XOAuth2Token);
        Assert.Equal(Mailbox, session.AuthenticatedAs);
        Assert.NotEmpty(smtp.Messages);
        var request = Assert.Single(entra.Requests);
        Assert.Equal(new EntraTokenEndpoint.TokenRequest(Tenant, "client_credentials", Client, "secret-1", "https://outlook.office365.com/.default"), request);
        // The managed identity is never asked for the mail token.
        Assert.DoesNotContain(identity.Requests, r => r.Resource == "https://outlook.office365.com");
        Assert.DoesNotContain("secret-1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("app-token-", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecretRotatedInTheVaultAndRevokedInEntraIsPickedUpWithoutARestart()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var vault = await LoopbackKeyVault.StartAsync(certificates.Localhost);
        await using var entra = await EntraTokenEndpoint.StartAsync(certificates.Localhost);
        // Tokens near expiry, so that each send asks Entra ID, as a send an hour later would.
        entra.Lifetime = TimeSpan.FromMinutes(4);
        vault.SetSecret(SecretName, "secret-1");
        entra.AcceptedSecrets = ["secret-1"];
        await using var smtp = await StartServerAsync("app-token-1", "app-token-2", "app-token-3", "app-token-4");
        var (process, client) = await NotifierProcess.ServeAsync(Environment(identity, vault, entra, smtp));
        await using var _ = process;
        using var __ = client;

        var before = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "app-before", HostEncoding.Binary));
        // The rotation: a new secret in the vault, the old one deleted from the application. Entra ID refuses
        // the old one (no token, so no 535 from the mail server ever comes).
        vault.SetSecret(SecretName, "secret-2");
        entra.AcceptedSecrets = ["secret-2"];
        // The test email opens a connection of its own, so it signs in again (the queue's connection stays signed in).
        var after = await InvocationAnswer.PostAsync(client, "/SendTestEmail", HostInvocation.Http("{\"to\": \"admin@contoso.com\"}"));

        Assert.Equal("delivered", before.Outcome);
        Assert.Equal(200, after.Outputs.GetProperty("res").GetProperty("statusCode").GetInt32());
        Assert.Contains(smtp.Messages, m => m.RcptTos.SequenceEqual(["admin@contoso.com"]));
        var secrets = entra.Requests.Select(r => r.ClientSecret).ToList();
        // Entra ID refused the old secret once; from then on the new one from the vault was used.
        var firstNew = secrets.IndexOf("secret-2");
        Assert.True(firstNew > 0, string.Join(", ", secrets));
        Assert.Equal("secret-1", secrets[firstNew - 1]);
        Assert.All(secrets.Skip(firstNew), s => Assert.Equal("secret-2", s));
        Assert.All(smtp.Sessions.Where(s => s.XOAuth2 is not null), s => Assert.Equal("accepted", s.XOAuth2));
        Assert.True(vault.SecretReads >= 2, $"the vault was read {vault.SecretReads} time(s)");
        Assert.DoesNotContain("secret-", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheVaultHasNoClientSecretTheEventIsDroppedNamingScopeIdentityAndSecretWithTheFix()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        await using var vault = await LoopbackKeyVault.StartAsync(certificates.Localhost);
        await using var entra = await EntraTokenEndpoint.StartAsync(certificates.Localhost);
        await using var smtp = await StartServerAsync("app-token-1");

        var (exitCode, output) = await DeliverOneAsync(Environment(identity, vault, entra, smtp));

        Assert.Equal(1, exitCode);
        Assert.Contains("delivered 0, dropped 1, rejected 0", output, StringComparison.Ordinal);
        Assert.Contains(
            $"no OAuth2 access token for https://outlook.office365.com/.default could be had from the Entra application {Client} in tenant {Tenant}: "
            + $"its client secret could not be read from the Key Vault secret '{SecretName}' in {vault.Uri}: the vault has no secret '{SecretName}' (SecretNotFound): nothing was sent",
            output,
            StringComparison.Ordinal);
        Assert.Contains($"create it (az keyvault secret set --vault-name <vault> --name {SecretName} --value ...) or set KeyVault__ClientSecretSecret to the secret's name", output, StringComparison.Ordinal);
        Assert.Empty(entra.Requests);
        Assert.DoesNotContain(smtp.Sessions, s => s.Commands.Any(c => c.StartsWith("AUTH", StringComparison.Ordinal)));
        Assert.Empty(smtp.Messages);
    }

    private Dictionary<string, string?> Environment(ManagedIdentityEndpoint identity, LoopbackKeyVault vault, EntraTokenEndpoint entra, SmtpServerProcess smtp) =>
        new(identity.Environment)
        {
            ["Notifications__BaseUrl"] = "https://git.example.com/",
            ["Mail__Host"] = "localhost",
            ["Mail__Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail__Tls"] = "Always",
            ["Mail__TrustedCertificatesPath"] = certificates.AuthorityPath,
            ["Mail__From"] = "Code Review <notifier@contoso.com>",
            ["Mail__Authentication"] = "OAuth2",
            ["Mail__Username"] = Mailbox,
            ["Mail__OAuth2__TenantId"] = Tenant,
            ["Mail__OAuth2__ClientId"] = Client,
            ["KeyVault__Uri"] = vault.Uri.ToString(),
            ["KeyVault__ClientSecretSecret"] = SecretName,
            ["AZURE_AUTHORITY_HOST"] = entra.AuthorityHost.ToString(),
            // The process's https roots: the test CA only (vault and Entra ID on loopback).
            ["SSL_CERT_FILE"] = certificates.AuthorityPath,
            ["SSL_CERT_DIR"] = certificates.AuthorityPath + ".none",
        };

    private Task<SmtpServerProcess> StartServerAsync(params string[] tokens) =>
        SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            XOAuth2Mailbox = Mailbox,
            XOAuth2Tokens = tokens,
        });

    private static Task<(int ExitCode, string Output)> DeliverOneAsync(Dictionary<string, string?> environment) =>
        NotifierProcess.RunAsync(environment, null, null, "deliver", Repo.Path("samples", "events", "repository.pushed.json"));
}
