using Notifier.Smtp.Options;

namespace Notifier.Smtp;

/// <summary>The default provider: <c>Mail__Username</c> and <c>Mail__Password</c>; anonymous when both are empty.</summary>
internal sealed class OptionsCredentialProvider(MailOptions options) : ISmtpCredentialProvider
{
    public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken) =>
        ValueTask.FromResult(options.IsAnonymous ? null : new SmtpCredentials(options.Username ?? "", options.Password ?? ""));
}
