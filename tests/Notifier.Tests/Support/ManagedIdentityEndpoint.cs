using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notifier.Tests.Support;

/// <summary>
/// The token endpoint App Service and Azure Functions give an app with a managed identity, on loopback: the
/// app finds it through <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c> (see <see cref="Environment"/>) and
/// Azure.Identity calls it with <c>GET ?api-version=2019-08-01&amp;resource=…</c> and the header
/// <c>X-IDENTITY-HEADER</c>. It answers like the platform: a token named <c>token-N</c> for the N-th request,
/// valid for <see cref="Lifetime"/>, or, with <see cref="RefuseWith"/>, that status and an error body. A request
/// without the right header is refused as the platform would.
/// </summary>
internal sealed class ManagedIdentityEndpoint : IAsyncDisposable
{
    public const string Secret = "identity-header-secret";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();
    private int _issued;

    private ManagedIdentityEndpoint(WebApplication app)
    {
        _app = app;
    }

    /// <summary>How long issued tokens are valid.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When set, every request is answered with this status and an Entra-style error body.</summary>
    public int? RefuseWith { get; set; }

    public Uri Uri { get; private set; } = null!;

    /// <summary>Every request so far, oldest first.</summary>
    public IReadOnlyList<TokenRequest> Requests => [.. _requests];

    /// <summary>What a process needs to find this endpoint, as App Service sets it.</summary>
    public Dictionary<string, string?> Environment => new()
    {
        ["IDENTITY_ENDPOINT"] = Uri.ToString(),
        ["IDENTITY_HEADER"] = Secret,
    };

    public static async Task<ManagedIdentityEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new ManagedIdentityEndpoint(app);
        app.MapGet("/msi/token", endpoint.Answer);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        endpoint.Uri = new Uri(address.TrimEnd('/') + "/msi/token");
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Answer(HttpContext context)
    {
        var query = context.Request.Query;
        var request = new TokenRequest(
            query["api-version"].ToString(),
            query["resource"].ToString(),
            query.TryGetValue("client_id", out var clientId) ? clientId.ToString() : null,
            context.Request.Headers["X-IDENTITY-HEADER"].ToString(),
            context.Request.QueryString.Value ?? string.Empty);
        _requests.Enqueue(request);

        if (request.Header != Secret)
        {
            return Error(StatusCodes.Status401Unauthorized, "invalid_request", "The X-IDENTITY-HEADER is missing or wrong.");
        }

        if (RefuseWith is { } status)
        {
            return Error(status, "invalid_request", "Managed identity is not enabled for this app (test endpoint refusing).");
        }

        var number = Interlocked.Increment(ref _issued);
        var expiresOn = DateTimeOffset.UtcNow + Lifetime;
        return Results.Json(new Dictionary<string, string>
        {
            ["access_token"] = $"token-{number.ToString(CultureInfo.InvariantCulture)}",
            ["expires_on"] = expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["resource"] = request.Resource,
            ["token_type"] = "Bearer",
            ["client_id"] = request.ClientId ?? "00000000-0000-0000-0000-0000000000aa",
        });
    }

    private static IResult Error(int status, string code, string description) =>
        Results.Content(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["statusCode"] = status,
            ["message"] = description,
            ["error"] = code,
            ["error_description"] = description,
        }), "application/json", statusCode: status);

    /// <summary>One GET as the endpoint saw it.</summary>
    internal sealed record TokenRequest(string ApiVersion, string Resource, string? ClientId, string Header, string QueryString);
}
