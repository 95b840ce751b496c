namespace Notifier.Notifications.Events;

/// <summary>
/// Checks a parsed event against the deployment's rules before anything is rendered: account links must be
/// https and start with <c>Notifications__BaseUrl</c>, an account email goes only to its user.
/// </summary>
/// <remarks>
/// A set-password or reset link is a bearer secret, so no reason returned here ever contains it (nor any part
/// of it): a rejected event is logged and forwarded with the reason, and the reason must be safe to log.
/// </remarks>
public sealed class EventPolicy
{
    private readonly Uri? _baseUrl;

    public EventPolicy(NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _baseUrl = options.BaseUrl;
    }

    /// <summary>Null when the event may be sent; otherwise the rejection reason (never containing the link).</summary>
    public string? Check(NotificationEvent notificationEvent)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        return notificationEvent.Category switch
        {
            null => $"unknown type '{Parsing.JsonFields.Printable(notificationEvent.Type)}'",
            EventCategory.Account => CheckAccount(notificationEvent),
            _ => null,
        };
    }

    private string? CheckAccount(NotificationEvent notificationEvent)
    {
        var account = notificationEvent.Account;
        if (account is null)
        {
            return $"{notificationEvent.Type} carries no account (user and link)";
        }

        if (_baseUrl is null)
        {
            return "account emails need the site's address: set Notifications__BaseUrl to its public https URL (e.g. https://git.example.com/)";
        }

        if (!_baseUrl.IsAbsoluteUri || _baseUrl.Scheme != Uri.UriSchemeHttps)
        {
            return "Notifications__BaseUrl must be an absolute https URL for account emails; change it to the site's https address";
        }

        var problem = LinkProblem(account.Link, _baseUrl);
        if (problem is not null)
        {
            return $"{notificationEvent.Type}: the account link {problem} (Notifications__BaseUrl is {_baseUrl.GetLeftPart(UriPartial.Path)}); the link is not shown because it carries a token";
        }

        if (notificationEvent.Recipients is { } recipients)
        {
            foreach (var recipient in recipients)
            {
                if (!IsAccountUser(recipient, account.User))
                {
                    return $"{notificationEvent.Type}: account emails go only to the account's user; the event names other recipients (remove \"recipients\" or list only that user)";
                }
            }
        }

        return null;
    }

    /// <summary>What is wrong with the link, or null. Compares parsed parts, never string prefixes of the raw link.</summary>
    internal static string? LinkProblem(Uri link, Uri baseUrl)
    {
        if (!link.IsAbsoluteUri || link.Scheme != Uri.UriSchemeHttps)
        {
            return "is not an absolute https URL";
        }

        // https://git.example.com@evil.org/ puts the real host after '@'; no legitimate link carries user info.
        if (link.UserInfo.Length > 0)
        {
            return "carries user information before the host";
        }

        if (!string.Equals(link.IdnHost, baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase) || link.Port != baseUrl.Port)
        {
            return "points to another host or port than the site";
        }

        var basePath = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl.AbsolutePath : baseUrl.AbsolutePath + "/";
        var linkPath = link.AbsolutePath;
        var inside = linkPath.StartsWith(basePath, StringComparison.Ordinal) || string.Equals(linkPath + "/", basePath, StringComparison.Ordinal);

        // Escaped dots or slashes could climb out of the base path once a server decodes them.
        return inside && !ContainsEscapedTraversal(link.AbsolutePath) ? null : "is outside the site's path";
    }

    private static bool ContainsEscapedTraversal(string path) =>
        path.Contains("%2e", StringComparison.OrdinalIgnoreCase) || path.Contains("%2f", StringComparison.OrdinalIgnoreCase)
        || path.Contains("%5c", StringComparison.OrdinalIgnoreCase);

    private static bool IsAccountUser(User recipient, User accountUser) =>
        recipient.Email is { } email
            ? string.Equals(email.Trim(), accountUser.Email?.Trim(), StringComparison.OrdinalIgnoreCase)
            : string.Equals(recipient.Name, accountUser.Name, StringComparison.OrdinalIgnoreCase);
}
