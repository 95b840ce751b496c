using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.KeyVault;
using Notifier.Tests.Support;

namespace Notifier.Tests.KeyVault;

/// <summary>
/// Which identity signs in to Key Vault: in Azure (<c>IDENTITY_ENDPOINT</c> set) the app's managed identity,
/// the user-assigned one named by <c>AZURE_CLIENT_ID</c> when that is set. The client the app builds
/// (<see cref="KeyVaultClientFactory"/>) runs with its real credential, which asks the managed identity endpoint
/// (<see cref="ManagedIdentityEndpoint"/> on loopback) over HTTP; only the vault's side of the wire is scripted.
/// The environment is the process's own, so these tests never run beside others.
/// </summary>
[Collection(SerialEnvironmentTests.Name)]
[Trait("Category", "Integration")]
public sealed class KeyVaultIdentityTests
{
    private static readonly Uri Vault = new("https://notifier-test.vault.azure.net/");

    [Fact]
    public async Task InAzureTheUserAssignedIdentityNamedByAzureClientIdSignsInToTheVault()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        using var vault = new BearerVault();
        using var _ = new ProcessEnvironment(identity.Environment, "AZURE_CLIENT_ID", "3f0c2b1e-7a6d-4e5f-9c8b-1a2d3e4f5a6b");

        var secrets = await ReadAsync(vault);

        Assert.Equal("notifier@example.com", secrets.Username);
        var request = Assert.Single(identity.Requests);
        Assert.Equal("3f0c2b1e-7a6d-4e5f-9c8b-1a2d3e4f5a6b", request.ClientId);
        Assert.Equal("https://vault.azure.net", request.Resource);
        Assert.All(vault.Authorizations, a => Assert.Equal("Bearer token-1", a));
        Assert.Equal(2, vault.Authorizations.Count);
    }

    [Fact]
    public async Task InAzureWithoutAzureClientIdTheSystemAssignedIdentitySignsIn()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        using var vault = new BearerVault();
        using var _ = new ProcessEnvironment(identity.Environment, "AZURE_CLIENT_ID", null);

        await ReadAsync(vault);

        var request = Assert.Single(identity.Requests);
        Assert.Null(request.ClientId);
        Assert.Equal("https://vault.azure.net", request.Resource);
        Assert.Equal(2, vault.Authorizations.Count);
    }

    [Fact]
    public async Task WhenTheIdentityEndpointRefusesTheReasonIsThatNoIdentityCouldSignInAndTheFixNamesTheIdentity()
    {
        await using var identity = await ManagedIdentityEndpoint.StartAsync();
        identity.RefuseWith = 400;
        using var vault = new BearerVault();
        using var _ = new ProcessEnvironment(identity.Environment, "AZURE_CLIENT_ID", "8e7d6c5b-4a39-4281-b0c9-d8e7f6a5b4c3");

        var error = await Assert.ThrowsAsync<MailCredentialsUnavailableException>(() => ReadAsync(vault));

        Assert.StartsWith($"the mail username could not be read from Key Vault {Vault} (secret 'mail-username'): no identity could sign in to Key Vault (", error.Message, StringComparison.Ordinal);
        Assert.Contains("enable the function app's managed identity (AZURE_CLIENT_ID selects a user-assigned one)", error.Hint, StringComparison.Ordinal);
        Assert.NotEmpty(identity.Requests);
        Assert.All(identity.Requests, r => Assert.Equal("8e7d6c5b-4a39-4281-b0c9-d8e7f6a5b4c3", r.ClientId));
        Assert.Empty(vault.Authorizations);
        // The refusal is the managed identity's (a developer tool's failure would say nothing useful in Azure).
        Assert.StartsWith("ManagedIdentityCredential", Innermost(error).Message, StringComparison.Ordinal);
    }

    private static Exception Innermost(Exception error)
    {
        var inner = error.InnerException!;
        while (inner is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            inner = aggregate.InnerExceptions[^1];
        }

        return inner;
    }

    private static async Task<Smtp.SmtpCredentials> ReadAsync(BearerVault vault)
    {
        var options = new KeyVaultOptions { Uri = Vault };
        var client = KeyVaultClientFactory.Create(options, new SecretClientOptions { Transport = new HttpClientTransport(new HttpClient(vault)) });
        using var credentials = new KeyVaultMailCredentials(client, options, TimeProvider.System, NullLogger<KeyVaultMailCredentials>.Instance);
        return await credentials.GetAsync();
    }

    /// <summary>Key Vault's side: the bearer challenge for a request without a token, then the secret, recording every token it was shown.</summary>
    private sealed class BearerVault : HttpMessageHandler
    {
        private readonly ConcurrentQueue<string> _authorizations = new();

        public IReadOnlyList<string> Authorizations => [.. _authorizations];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is not { } authorization)
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"");
                return Task.FromResult(challenge);
            }

            _authorizations.Enqueue(authorization.ToString());
            var name = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
            var value = name == "mail-username" ? "notifier@example.com" : "the-password";
            var body = JsonSerializer.Serialize(new { value, id = $"{Vault}secrets/{name}/0123456789abcdef", attributes = new { enabled = true } });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
