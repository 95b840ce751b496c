using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notifier.Notifications.Events.Parsing;

/// <summary>
/// Links in events: absolute http(s) URLs, checked with the schema's pattern plus <see cref="Uri"/>. Error
/// messages never contain the value, since a set-password or reset link is a bearer secret.
/// </summary>
internal static partial class WebUrls
{
    /// <summary>An optional link (<c>pullRequest.url</c> and the like): http or https.</summary>
    public static Uri? Optional(JsonElement obj, string path, string name)
    {
        var text = JsonFields.OptionalStrictString(obj, path, name);
        return text is null ? null : TryCreate(text, httpsOnly: false) ?? throw JsonFields.Fail(path, name, "must be an absolute http or https URL");
    }

    /// <summary>An account link: https only.</summary>
    public static Uri? OptionalSecret(JsonElement obj, string path, string name)
    {
        var text = JsonFields.OptionalStrictString(obj, path, name);
        return text is null ? null : TryCreate(text, httpsOnly: true) ?? throw JsonFields.Fail(path, name, "must be an absolute https URL");
    }

    /// <summary>A link as Bitbucket sends it; anything unusable is dropped rather than rejecting the event.</summary>
    public static Uri? Lenient(string? text) => text is null ? null : TryCreate(text, httpsOnly: false);

    private static Uri? TryCreate(string text, bool httpsOnly)
    {
        var pattern = httpsOnly ? HttpsPattern() : HttpPattern();
        return pattern.IsMatch(text) && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (!httpsOnly && uri.Scheme == Uri.UriSchemeHttp))
            ? uri
            : null;
    }

    [GeneratedRegex(@"^[hH][tT][tT][pP][sS]?://[^\s/?#]+([/?#][^\s]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex HttpPattern();

    [GeneratedRegex(@"^[hH][tT][tT][pP][sS]://[^\s/?#]+([/?#][^\s]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex HttpsPattern();
}
