using Azure.Core;
using Azure.Identity;

namespace Notifier.OAuth2;

/// <summary>
/// The function app's managed identity: system-assigned, or the user-assigned one whose client id is in
/// <c>AZURE_CLIENT_ID</c>. In Azure Functions the token comes from the local endpoint the platform announces in
/// <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c>.
/// </summary>
internal sealed class ManagedIdentityTokenSource : OAuth2TokenSource
{
    private readonly ManagedIdentityId _id;
    private TokenCredential _credential;

    public ManagedIdentityTokenSource(string? userAssignedClientId)
    {
        _id = string.IsNullOrWhiteSpace(userAssignedClientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(userAssignedClientId.Trim());
        Description = string.IsNullOrWhiteSpace(userAssignedClientId)
            ? "the app's managed identity (system-assigned)"
            : $"the app's managed identity (user-assigned, client id {userAssignedClientId.Trim()})";
        _credential = CreateCredential();
    }

    public override string Description { get; }

    public override string Hint =>
        "turn on the function app's managed identity (or set AZURE_CLIENT_ID to the client id of the user-assigned identity to use), "
        + "and check Mail__OAuth2__Scope; outside Azure set Mail__OAuth2__TenantId and Mail__OAuth2__ClientId to use an Entra application instead";

    public override async ValueTask<AccessToken> GetTokenAsync(string scope, bool fresh, CancellationToken cancellationToken)
    {
        if (fresh)
        {
            // A new credential drops what this Azure.Identity credential holds. It cannot promise a new token:
            // MSAL keeps managed identity tokens in a cache shared by the whole process, which may hand back the
            // token the server just refused until it nears expiry. Then the retry is refused too and the drop
            // reason says what to grant the identity.
            Volatile.Write(ref _credential, CreateCredential());
        }

        return await Volatile.Read(ref _credential).GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
    }

    private ManagedIdentityCredential CreateCredential()
    {
        var options = new ManagedIdentityCredentialOptions(_id);
        // A missing or refusing endpoint should become a drop reason within seconds, not after minutes of backoff.
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        return new ManagedIdentityCredential(options);
    }
}
