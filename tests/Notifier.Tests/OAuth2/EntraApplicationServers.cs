using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.OAuth2;

/// <summary>
/// Entra ID's token endpoint for applications, on loopback over TLS (MSAL accepts only an https authority):
/// <c>POST /{tenant}/oauth2/v2.0/token</c> with the client credentials grant, answered as Entra ID does. A
/// client secret in <see cref="AcceptedSecrets"/> gets a token named <c>app-token-N</c> for the N-th token issued;
/// any other secret gets Entra ID's 401 <c>invalid_client</c> (AADSTS7000215), which is also what a revoked or
/// expired secret gets.
/// </summary>
internal sealed class EntraTokenEndpoint : IAsyncDisposable
{
    private static readonly int[] InvalidSecretCodes = [7000215];

    private readonly LoopbackTlsServer _server;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();
    private int _issued;

    private EntraTokenEndpoint(LoopbackTlsServer server)
    {
        _server = server;
    }

    /// <summary>The secrets Entra ID accepts now; rotating a secret is replacing this set.</summary>
    public IReadOnlyCollection<string> AcceptedSecrets { get; set; } = [];

    /// <summary>How long issued tokens are valid; MSAL asks again for one within five minutes of its expiry.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What goes in <c>AZURE_AUTHORITY_HOST</c> or <c>ClientSecretCredentialOptions.AuthorityHost</c>.</summary>
    public Uri AuthorityHost => _server.Uri;

    /// <summary>Every request so far, oldest first.</summary>
    public IReadOnlyList<TokenRequest> Requests => [.. _requests];

    public static async Task<EntraTokenEndpoint> StartAsync(PemCertificate certificate)
    {
        EntraTokenEndpoint? endpoint = null;
        var server = await LoopbackTlsServer.StartAsync(certificate, app => app.MapPost("/{tenant}/oauth2/v2.0/token", (string tenant, HttpContext context) => endpoint!.AnswerAsync(tenant, context)));
        endpoint = new EntraTokenEndpoint(server);
        return endpoint;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<IResult> AnswerAsync(string tenant, HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var request = new TokenRequest(tenant, form["grant_type"].ToString(), form["client_id"].ToString(), form["client_secret"].ToString(), form["scope"].ToString());
        _requests.Enqueue(request);
        if (!AcceptedSecrets.Contains(request.ClientSecret))
        {
            return Results.Json(
                new Dictionary<string, object>
                {
                    ["error"] = "invalid_client",
                    ["error_description"] = $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{request.ClientId}'.",
                    ["error_codes"] = InvalidSecretCodes,
                },
                statusCode: StatusCodes.Status401Unauthorized);
        }

        var number = Interlocked.Increment(ref _issued);
        var seconds = (int)Lifetime.TotalSeconds;
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = seconds,
            ["ext_expires_in"] = seconds,
            ["access_token"] = $"app-token-{number.ToString(CultureInfo.InvariantCulture)}",
        });
    }

    /// <summary>One token request as the endpoint saw it (the secret is the test's own, never a real one).</summary>
    internal sealed record TokenRequest(string Tenant, string GrantType, string ClientId, string ClientSecret, string Scope);
}

/// <summary>
/// Key Vault's secrets API (<c>GET /secrets/{name}</c>) on loopback over TLS, for a <c>notifier</c> process. It
/// answers without asking the client to sign in first: the SDK accepts a sign-in challenge only for a resource
/// whose domain the vault's host name ends in (<c>x.vault.azure.net</c> and <c>vault.azure.net</c>), which no
/// loopback address can match. Signing in to Key Vault is not what these tests are about.
/// </summary>
internal sealed class LoopbackKeyVault : IAsyncDisposable
{
    private readonly LoopbackTlsServer _server;
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private int _reads;

    private LoopbackKeyVault(LoopbackTlsServer server)
    {
        _server = server;
    }

    public Uri Uri => _server.Uri;

    public int SecretReads => Volatile.Read(ref _reads);

    public void SetSecret(string name, string value) => _secrets[name] = value;

    public static async Task<LoopbackKeyVault> StartAsync(PemCertificate certificate)
    {
        LoopbackKeyVault? vault = null;
        var server = await LoopbackTlsServer.StartAsync(certificate, app => app.MapGet("/secrets/{name}/{version?}", (string name) => vault!.Answer(name)));
        vault = new LoopbackKeyVault(server);
        return vault;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private IResult Answer(string name)
    {
        Interlocked.Increment(ref _reads);
        return _secrets.TryGetValue(name, out var value)
            ? Results.Json(new { value, id = $"{Uri}secrets/{name}/0123456789abcdef", attributes = new { enabled = true } })
            : Results.Json(new { error = new { code = "SecretNotFound", message = $"A secret with (name/id) {name} was not found in this key vault." } }, statusCode: StatusCodes.Status404NotFound);
    }
}

/// <summary>A Kestrel server on 127.0.0.1 with a certificate of the test CA (<see cref="ServerCertificates"/>).</summary>
internal sealed class LoopbackTlsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackTlsServer(WebApplication app, Uri uri)
    {
        _app = app;
        Uri = uri;
    }

    /// <summary>https://127.0.0.1:port/</summary>
    public Uri Uri { get; }

    public static async Task<LoopbackTlsServer> StartAsync(PemCertificate certificate, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var serverCertificate = X509Certificate2.CreateFromPemFile(certificate.CertificatePath, certificate.KeyPath);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serverCertificate)));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackTlsServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>An Azure SDK transport that trusts the test CA (and only it), for clients inside the test process.</summary>
    public static HttpClientTransport TrustingTransport(string authorityPath)
    {
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(authorityPath));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        return new HttpClientTransport(new HttpClient(handler));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
