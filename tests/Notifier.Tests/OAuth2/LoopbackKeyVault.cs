using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.OAuth2;

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
