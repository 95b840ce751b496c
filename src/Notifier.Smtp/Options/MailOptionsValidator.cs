using Microsoft.Extensions.Options;

namespace Notifier.Smtp.Options;

/// <summary>
/// Checks the mail settings as a whole and lists every problem at once, each naming the setting to fix.
/// </summary>
public sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Filled in by the SMTP engine work (issue 2).
        return ValidateOptionsResult.Success;
    }
}
