using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Writes the HTML part: a 600px table layout with inline styles only (Outlook ignores most CSS and Gmail drops
/// style sheets), explicit background and text colours on every block so clients that invert colours in dark
/// mode keep it readable, <c>dir="auto"</c> around event text so right-to-left titles and comments lay out
/// correctly, no images and no scripts. Every event value goes through <see cref="HtmlText"/>.
/// </summary>
internal static class HtmlEmailWriter
{
    private const string Font = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;";
    private const string Ink = "color:#172b4d;";
    private const string Muted = "color:#5e6c84;";

    /// <summary>Everything after the reason sentence: the same for every email, so a constant rather than built each time.</summary>
    private const string Footer =
        "</p><p style=\"margin:6px 0 0 0;\">Sent by Notifier. This is an automated message; replies are not read.</p></td></tr>\n"
        + "</table>\n</td></tr></table>\n</body></html>\n";

    public static BodyTemplate Write(EmailContent content, string subject)
    {
        var html = StringBuilderCache.Acquire(16 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">")
            .Append("<title>").AppendEncoded(subject).Append("</title></head>\n")
            .Append("<body style=\"margin:0;padding:0;background-color:#f4f5f7;\">\n")
            // Preheader: the line inbox lists show next to the subject.
            .Append("<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">").AppendEncoded(content.Headline).Append("</div>\n")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#f4f5f7;\"><tr><td align=\"center\" style=\"padding:24px 12px;\">\n")
            .Append("<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;max-width:600px;background-color:#ffffff;border:1px solid #dfe1e6;border-collapse:separate;\">\n");

        // Banner
        html.Append("<tr><td style=\"padding:12px 24px;background-color:#0b4f9c;color:#ffffff;").Append(Font)
            .Append("font-size:13px;font-weight:bold;\" dir=\"auto\">").AppendEncoded(content.Context).Append("</td></tr>\n");

        // Headline and title
        html.Append("<tr><td style=\"padding:20px 24px 4px 24px;background-color:#ffffff;\">")
            .Append("<p style=\"margin:0 0 8px 0;").Append(Font).Append(Ink).Append("font-size:15px;line-height:1.4;\" dir=\"auto\">").AppendEncoded(content.Headline).Append("</p>");
        if (content.Title.Length > 0)
        {
            html.Append("<h1 style=\"margin:0 0 8px 0;").Append(Font).Append(Ink).Append("font-size:20px;line-height:1.3;font-weight:bold;word-break:break-word;\" dir=\"auto\">")
                .AppendEncoded(content.Title).Append("</h1>");
        }

        html.Append("</td></tr>\n");

        if (content.Facts.Count > 0)
        {
            WriteFacts(html, content.Facts);
        }

        foreach (var block in content.Blocks)
        {
            WriteBlock(html, block);
        }

        if (content.Action is { } action)
        {
            WriteAction(html, action);
        }

        html.Append("<tr><td style=\"padding:16px 24px;background-color:#fafbfc;border-top:1px solid #dfe1e6;").Append(Font).Append(Muted)
            .Append("font-size:12px;line-height:1.5;\"><p style=\"margin:0;\">");
        return new BodyTemplate(html, Footer);
    }

    private static void WriteFacts(StringBuilder html, IReadOnlyList<Fact> facts)
    {
        html.Append("<tr><td style=\"padding:8px 24px;background-color:#ffffff;\">")
            .Append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;\">");
        foreach (var fact in facts)
        {
            // One row per line: a body whose lines all fit in 998 octets goes out as 8bit, not quoted-printable.
            html.Append("\n<tr><td valign=\"top\" style=\"padding:3px 16px 3px 0;width:110px;").Append(Font).Append(Muted).Append("font-size:13px;line-height:1.5;white-space:nowrap;\">")
                .AppendEncoded(fact.Label).Append("</td><td valign=\"top\" style=\"padding:3px 0;").Append(Font).Append(Ink).Append("font-size:13px;line-height:1.5;word-break:break-word;\" dir=\"auto\">");
            for (var i = 0; i < fact.Values.Count; i++)
            {
                html.Append(i == 0 ? string.Empty : "<br>").AppendEncoded(fact.Values[i]);
            }

            html.Append("</td></tr>");
        }

        html.Append("</table></td></tr>\n");
    }

    private static void WriteBlock(StringBuilder html, ContentBlock block)
    {
        html.Append("<tr><td style=\"padding:12px 24px 4px 24px;background-color:#ffffff;\">");
        if (block.Heading.Length > 0)
        {
            html.Append("<h2 style=\"margin:0 0 8px 0;").Append(Font).Append(Muted).Append("font-size:12px;line-height:1.4;font-weight:bold;text-transform:uppercase;letter-spacing:0.04em;\" dir=\"auto\">")
                .AppendEncoded(block.Heading).Append("</h2>");
        }

        switch (block)
        {
            case MarkdownBlock markdown:
                html.Append(markdown.Quoted
                    ? "<div style=\"margin:0 0 8px 0;padding:4px 0 4px 12px;border-left:3px solid #c1c7d0;color:#42526e;word-break:break-word;\" dir=\"auto\">"
                    : "<div style=\"margin:0 0 8px 0;color:#172b4d;word-break:break-word;\" dir=\"auto\">");
                SafeMarkdown.AppendHtml(html, markdown.Markdown);
                if (markdown.TruncationNote is { } note)
                {
                    html.Append("<p style=\"margin:0 0 12px 0;").Append(Font).Append(Muted).Append("font-size:13px;font-style:italic;\">").AppendEncoded(note).Append("</p>");
                }

                html.Append("</div>");
                break;
            case ItemListBlock list:
                html.Append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;margin:0 0 8px 0;\">");
                foreach (var item in list.Items)
                {
                    html.Append("\n<tr><td style=\"padding:3px 0;").Append(Font).Append(Ink).Append("font-size:13px;line-height:1.5;word-break:break-word;\" dir=\"auto\">");
                    if (item.Code is not null)
                    {
                        html.Append("<code style=\"font-family:SFMono-Regular,Consolas,'Liberation Mono',Menlo,monospace;font-size:12px;padding:1px 4px;background-color:#f4f5f7;color:#172b4d;\">");
                        AppendMaybeLinked(html, item.Code, item.Href);
                        html.Append("</code> ").AppendEncoded(item.Text);
                    }
                    else
                    {
                        html.Append("&#8226; ");
                        AppendMaybeLinked(html, item.Text, item.Href);
                    }

                    html.Append("</td></tr>");
                }

                html.Append("</table>");
                break;
            case NoticeBlock notice:
                foreach (var paragraph in notice.Paragraphs)
                {
                    html.Append("<p style=\"margin:0 0 12px 0;").Append(Font).Append(Ink).Append("font-size:14px;line-height:1.5;\" dir=\"auto\">").AppendEncoded(paragraph).Append("</p>");
                }

                break;
        }

        html.Append("</td></tr>\n");
    }

    private static void AppendMaybeLinked(StringBuilder html, string text, string? href)
    {
        if (href is null)
        {
            html.AppendEncoded(text);
            return;
        }

        html.Append("<a href=\"").AppendEncoded(href).Append("\" style=\"color:#0b5cd5;text-decoration:underline;\">").AppendEncoded(text).Append("</a>");
    }

    private static void WriteAction(StringBuilder html, ContentLink action)
    {
        // A "bulletproof" button: the coloured cell carries the background so Outlook, which ignores padding on
        // links, still shows a button; the URL is repeated as text for clients that block links.
        html.Append("<tr><td style=\"padding:16px 24px 20px 24px;background-color:#ffffff;\">")
            .Append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td style=\"background-color:#0b5cd5;border-radius:4px;\">")
            .Append("\n<a href=\"").AppendEncoded(action.Href).Append("\" style=\"display:inline-block;padding:10px 18px;").Append(Font)
            .Append("font-size:14px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:4px;\">").AppendEncoded(action.Label).Append("</a>")
            .Append("</td></tr></table>\n")
            .Append("<p style=\"margin:10px 0 0 0;").Append(Font).Append(Muted).Append("font-size:12px;line-height:1.5;word-break:break-all;\">Or open <a href=\"")
            .AppendEncoded(action.Href).Append("\" style=\"color:#0b5cd5;\">").AppendEncoded(action.Href).Append("</a></p>")
            .Append("</td></tr>\n");
    }
}
