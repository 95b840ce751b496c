using Microsoft.Extensions.Options;
using Notifier.Notifications;
using Notifier.Notifications.Batching;

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

        var batching = options.Batching;
        if (batching.QuietPeriod <= TimeSpan.Zero)
        {
            problems.Add($"Notifications__Batching__QuietPeriod must be longer than zero, e.g. 00:10:00 (got {batching.QuietPeriod}).");
        }

        if (batching.MaxDelay < batching.QuietPeriod)
        {
            problems.Add($"Notifications__Batching__MaxDelay ({batching.MaxDelay}) must be at least Notifications__Batching__QuietPeriod ({batching.QuietPeriod}), e.g. 00:30:00.");
        }

        if (batching.FlushSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            problems.Add($"Notifications__Batching__FlushSchedule must be a six-field schedule (seconds first), e.g. \"{BatchingOptions.DefaultFlushSchedule}\" for every minute (got '{batching.FlushSchedule}').");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
