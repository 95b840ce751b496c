using Microsoft.Extensions.Options;
using Notifier.Notifications;

namespace Notifier.Settings;

/// <summary>Checks <c>Notifications__*</c>; each message names the setting and the fix.</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.BaseUrl is { } baseUrl && (!baseUrl.IsAbsoluteUri || baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"Notifications__BaseUrl must be the site's https URL, e.g. https://bitbucket.example.com/ (got '{baseUrl}'); account emails only carry links under it.");
        }

        if (options.SubjectPrefix is { } prefix && prefix.Any(char.IsControl))
        {
            problems.Add("Notifications__SubjectPrefix must not contain control characters such as line breaks.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
