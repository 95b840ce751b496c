namespace Notifier.Notifications.Rendering;

/// <summary>
/// Writes the text/plain part so it reads well on its own: the headline, aligned facts, markdown as its source
/// (already readable) wrapped at 72 columns, quotes marked with "> ", and every link spelled out on its own line.
/// </summary>
internal static class TextEmailWriter
{
    public static BodyTemplate Write(EmailContent content)
    {
        var text = StringBuilderCache.Acquire(4096);
        TextWrapper.AppendWrapped(text, content.Headline);
        text.Append('\n');
        if (content.Title.Length > 0)
        {
            TextWrapper.AppendWrapped(text, content.Title, "  ", "  ");
            text.Append('\n');
        }

        if (content.Facts.Count > 0)
        {
            var width = content.Facts.Max(f => f.Label.Length) + 2;
            foreach (var fact in content.Facts)
            {
                var label = (fact.Label + ":").PadRight(width);
                for (var i = 0; i < fact.Values.Count; i++)
                {
                    var lead = i == 0 ? label : new string(' ', width);
                    TextWrapper.AppendWrapped(text, fact.Values[i], lead, new string(' ', width + 2));
                }
            }

            text.Append('\n');
        }

        foreach (var block in content.Blocks)
        {
            if (block.Heading.Length > 0)
            {
                TextWrapper.AppendWrapped(text, block.Heading.EndsWith('?') ? block.Heading : block.Heading + ":");
            }

            switch (block)
            {
                case MarkdownBlock markdown:
                    if (!markdown.Quoted)
                    {
                        text.Append('\n');
                    }

                    TextWrapper.AppendMarkdown(text, markdown.Markdown.Trim('\n'), markdown.Quoted ? "> " : string.Empty);
                    if (markdown.TruncationNote is { } note)
                    {
                        text.Append('\n');
                        TextWrapper.AppendWrapped(text, note);
                    }

                    break;
                case ItemListBlock list:
                    foreach (var item in list.Items)
                    {
                        var lead = item.Code is null ? "  - " : $"  {item.Code} ";
                        TextWrapper.AppendWrapped(text, item.Text, lead, "    ");
                        if (item.Href is not null)
                        {
                            text.Append("    ").Append(item.Href).Append('\n');
                        }
                    }

                    break;
                case NoticeBlock notice:
                    for (var i = 0; i < notice.Paragraphs.Count; i++)
                    {
                        if (i > 0)
                        {
                            text.Append('\n');
                        }

                        TextWrapper.AppendWrapped(text, notice.Paragraphs[i]);
                    }

                    break;
            }

            text.Append('\n');
        }

        if (content.Action is { } action)
        {
            text.Append(action.Label).Append(":\n").Append(action.Href).Append("\n\n");
        }

        // "-- " is the standard signature separator: mail clients fade or strip what follows in replies.
        text.Append("-- \n");
        return new BodyTemplate(text, "\nSent by Notifier. This is an automated message; replies are not read.\n");
    }
}
