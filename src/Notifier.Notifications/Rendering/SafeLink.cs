namespace Notifier.Notifications.Rendering;

/// <summary>
/// Decides which links may become a clickable <c>href</c>. Only absolute http(s) links from the event (and
/// mailto in markdown) qualify; <c>javascript:</c>, <c>data:</c>, relative and malformed links stay text.
/// Hosts are written in their ASCII (punycode) form so a look-alike international domain shows as what it is.
/// </summary>
internal static class SafeLink
{
    /// <summary>The href for an http(s) link from the event, or null when it must not be a link.</summary>
    public static string? Http(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? Normalize(uri)
            : null;

    /// <summary>The href for a markdown link (http, https or mailto), or null when it must stay text.</summary>
    public static string? Markdown(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeMailto)
        {
            return uri.AbsoluteUri;
        }

        return Http(uri);
    }

    private static string? Normalize(Uri uri)
    {
        if (string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        try
        {
            var idnHost = uri.IdnHost;
            if (string.Equals(idnHost, uri.Host, StringComparison.Ordinal))
            {
                return uri.AbsoluteUri;
            }

            // Rebuild with the punycode host: AbsoluteUri may keep the Unicode form.
            var builder = new UriBuilder(uri) { Host = idnHost };
            return builder.Uri.AbsoluteUri;
        }
        catch (Exception e) when (e is UriFormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
