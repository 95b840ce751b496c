using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace Notifier.Tests.Support;

/// <summary>
/// A Key Vault on the other side of the real <see cref="SecretClient"/>: the HTTP transport answers the
/// client's requests from a script (the bearer challenge, then secrets or errors), so the SDK's own request
/// building, authentication challenge and error parsing all run.
/// </summary>
internal sealed class ScriptedKeyVault : HttpMessageHandler
{
    public static readonly Uri VaultUri = new("https://notifier-test.vault.azure.net/");

    private readonly Dictionary<string, string> _secrets = new(StringComparer.Ordinal)
    {
        ["mail-username"] = "notifier@example.com",
        ["mail-password"] = "first-password",
    };

    private int _secretReads;
    private int _attempts;

    /// <summary>When set, every secret read answers this status (403, 404...).</summary>
    public HttpStatusCode? FailWith { get; set; }

    /// <summary>The error code of <see cref="FailWith"/> answers; null: Forbidden or SecretNotFound by status.</summary>
    public string? FailCode { get; set; }

    /// <summary>When true, the vault cannot be reached at all.</summary>
    public bool Unreachable { get; set; }

    public int SecretReads => Volatile.Read(ref _secretReads);

    /// <summary>Every request the client sent, the authentication challenge and retries included.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public void SetSecret(string name, string value)
    {
        lock (_secrets)
        {
            _secrets[name] = value;
        }
    }

    public void RemoveSecret(string name)
    {
        lock (_secrets)
        {
            _secrets.Remove(name);
        }
    }

    /// <summary>A real client whose transport is this script; <paramref name="maxRetries"/> above 0 runs Azure's retry policy.</summary>
    public SecretClient CreateClient(int maxRetries = 0) =>
        new(VaultUri, new StaticTokenCredential(), new SecretClientOptions
        {
            Transport = new HttpClientTransport(new HttpClient(this)),
            Retry = { MaxRetries = maxRetries, Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Unreachable)
        {
            throw new HttpRequestException("Name or service not known (notifier-test.vault.azure.net:443)");
        }

        if (request.Headers.Authorization is null)
        {
            // Key Vault's first answer: who may sign in, and for which resource.
            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            challenge.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"");
            return Task.FromResult(challenge);
        }

        var name = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
        Interlocked.Increment(ref _secretReads);
        if (FailWith is { } status)
        {
            var code = FailCode ?? (status == HttpStatusCode.NotFound ? "SecretNotFound" : "Forbidden");
            return Task.FromResult(Json(status, new { error = new { code, message = $"{code} for {name}" } }));
        }

        string? value;
        lock (_secrets)
        {
            _secrets.TryGetValue(name, out value);
        }

        return Task.FromResult(value is null
            ? Json(HttpStatusCode.NotFound, new { error = new { code = "SecretNotFound", message = $"A secret with (name/id) {name} was not found in this key vault." } })
            : Json(HttpStatusCode.OK, new { value, id = $"{VaultUri}secrets/{name}/0123456789abcdef", attributes = new { enabled = true } }));
    }

    private static HttpResponseMessage Json(HttpStatusCode status, object body) =>
        new(status) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };

    private sealed class StaticTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("test-token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
