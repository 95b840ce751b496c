namespace Notifier.Smtp;

/// <summary>Asks an <see cref="ISmtpCredentialProvider"/> and turns its failures into an admin message.</summary>
internal static class CredentialReader
{
    public static async ValueTask<SmtpCredentials?> ReadAsync(ISmtpCredentialProvider provider, bool refresh, CancellationToken cancellationToken)
    {
        try
        {
            return await provider.GetCredentialsAsync(refresh, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not SmtpException)
        {
            // The provider's own message names what failed (vault, secret, identity); it never holds a secret value.
            throw new SmtpException(
                $"the SMTP credentials could not be read ({e.GetType().Name}: {e.Message}): nothing was sent",
                "check KeyVault__Uri, KeyVault__UsernameSecret/KeyVault__PasswordSecret and the app's access to the vault",
                e);
        }
    }
}
