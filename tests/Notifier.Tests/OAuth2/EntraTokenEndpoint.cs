using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
