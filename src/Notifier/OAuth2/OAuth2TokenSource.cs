using Azure.Core;

namespace Notifier.OAuth2;

/// <summary>
/// The identity that asks Entra ID for the SMTP access token: the app's managed identity or an Entra
/// application. <see cref="Description"/> and <see cref="Hint"/> are what an admin reads when no token can be had.
/// </summary>
internal abstract class OAuth2TokenSource : IDisposable
{
    /// <summary>Names the identity, e.g. "the managed identity (user-assigned, client id …)"; never a secret.</summary>
    public abstract string Description { get; }

    /// <summary>What to check when this identity gets no token.</summary>
    public abstract string Hint { get; }

    /// <summary>
    /// A token for <paramref name="scope"/>. <paramref name="fresh"/> is true after the mail server refused the
    /// previous token: whatever the identity cached (a client secret, its credential) is read again.
    /// </summary>
    /// <exception cref="KeyVault.MailCredentialsUnavailableException">
    /// A secret of the identity's own could not be read; the message is only what went wrong with it and the hint
    /// what to fix: <see cref="OAuth2MailCredentials"/> puts the scope and the identity in front.
    /// </exception>
    public abstract ValueTask<AccessToken> GetTokenAsync(string scope, bool fresh, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the identity holds (a lock around reading its secret); nothing by default.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
