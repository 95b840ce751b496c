using System.Globalization;
using System.Text;
using Markdig;
using Markdig.Extensions.EmphasisExtras;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Markdown from events to email HTML. Raw HTML is disabled (it is shown as text), only http(s) and mailto
/// links stay links, images become plain links to the image (mail clients would otherwise fetch remote
/// images, which track the reader), and every element gets inline styles because many mail clients drop
/// style sheets.
/// </summary>
internal static class SafeMarkdown
{
    private const string Font = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;";
    private const string Mono = "font-family:SFMono-Regular,Consolas,'Liberation Mono',Menlo,monospace;";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseEmphasisExtras(EmphasisExtraOptions.Strikethrough)
        .Build();

    /// <summary>
    /// One renderer per thread, set up for <see cref="Pipeline"/> once: Markdown.ToHtml(document, writer) builds
    /// a new HtmlRenderer and registers every object renderer on each call, which cost more than rendering a
    /// typical comment. The renderer writes into its own StringWriter; Reset empties it and the indent state.
    /// </summary>
    [ThreadStatic]
    private static ReusableRenderer? _renderer;

    /// <summary>
    /// Appends the HTML for <paramref name="markdown"/> to <paramref name="target"/>. Markdig refuses some input
    /// it could only handle with unbounded recursion (about 128 nested <c>[</c>, as in a pasted ANSI-coloured
    /// log); a valid event must not be rejected for its text, so each block it refuses is shown as escaped
    /// plain text and the rest still renders as Markdown.
    /// </summary>
    public static void AppendHtml(StringBuilder target, string markdown)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(markdown);
        if (TryAppendHtml(target, markdown))
        {
            return;
        }

        foreach (var block in Blocks(markdown))
        {
            if (!TryAppendHtml(target, block))
            {
                AppendPlainText(target, block);
            }
        }
    }

    private static bool TryAppendHtml(StringBuilder target, string markdown)
    {
        try
        {
            AppendParsed(target, markdown);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Markdig's depth limit (ArgumentException today); nothing was appended to target.
            return false;
        }
    }

    /// <summary>Blocks as Markdown separates them: runs of lines between blank lines.</summary>
    private static IEnumerable<string> Blocks(string markdown)
    {
        var block = new StringBuilder();
        foreach (var line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (block.Length > 0)
                {
                    yield return block.ToString();
                    block.Clear();
                }

                continue;
            }

            block.Append(line).Append('\n');
        }

        if (block.Length > 0)
        {
            yield return block.ToString();
        }
    }

    private static void AppendPlainText(StringBuilder target, string block) =>
        target.Append("<p style=\"margin:0 0 12px 0;").Append(Font).Append("font-size:14px;line-height:1.5;white-space:pre-wrap;word-break:break-word;\">")
            .AppendEncoded(block.TrimEnd('\n')).Append("</p>");

    private static void AppendParsed(StringBuilder target, string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        Sanitize(document);
        var html = _renderer ?? CreateRenderer();
        // Taken out while in use: an exception mid-render leaves no half-written renderer for the next call.
        _renderer = null;
        html.Render(document);
        html.Writer.Flush();
        target.Append(((StringWriter)html.Writer).GetStringBuilder());
        html.Clear();
        _renderer = html;
    }

    private static ReusableRenderer CreateRenderer()
    {
        var html = new ReusableRenderer(new StringWriter(new StringBuilder(1024), CultureInfo.InvariantCulture));
        Pipeline.Setup(html);
        return html;
    }

    /// <summary>Exposes Markdig's own reset (empties the StringWriter, indents and line state) for reuse.</summary>
    private sealed class ReusableRenderer(TextWriter writer) : HtmlRenderer(writer)
    {
        public void Clear() => Reset();
    }

    private static void Sanitize(MarkdownDocument document)
    {
        // Materialise first: the loop rewrites the tree.
        var nodes = new List<MarkdownObject>(64);
        Collect(document, nodes);
        foreach (var node in nodes)
        {
            switch (node)
            {
                case LinkInline link:
                    SanitizeLink(link);
                    break;
                case AutolinkInline autolink:
                    SanitizeAutolink(autolink);
                    break;
                default:
                    Style(node);
                    break;
            }
        }
    }

    /// <summary>
    /// Every block and inline below <paramref name="root"/>, parents before children in document order: the same
    /// nodes as Markdig's Descendants(), without its iterator and list growth. An explicit stack rather than
    /// recursion, so deeply nested input (thousands of "&gt;" quotes) cannot exhaust the thread's stack here.
    /// </summary>
    private static void Collect(MarkdownObject root, List<MarkdownObject> nodes)
    {
        var pending = new Stack<MarkdownObject>(16);
        pending.Push(root);
        while (pending.TryPop(out var node))
        {
            if (node != root)
            {
                nodes.Add(node);
            }

            // Children are pushed last to first so that they come off the stack in document order.
            switch (node)
            {
                case ContainerBlock container:
                    for (var i = container.Count - 1; i >= 0; i--)
                    {
                        pending.Push(container[i]);
                    }

                    break;
                case LeafBlock { Inline: { } inline }:
                    pending.Push(inline);
                    break;
                case ContainerInline inlines:
                    for (var child = inlines.LastChild; child is not null; child = child.PreviousSibling)
                    {
                        pending.Push(child);
                    }

                    break;
            }
        }
    }

    private static void SanitizeLink(LinkInline link)
    {
        link.GetDynamicUrl = null;
        var href = SafeLink.Markdown(link.Url);
        if (href is null || (link.IsImage && href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)))
        {
            Unwrap(link, link.IsImage ? "image" : null);
            return;
        }

        if (link.IsImage)
        {
            // An image would be fetched from a remote server when the mail opens; a link is only followed on request.
            link.IsImage = false;
            if (link.FirstChild is null)
            {
                link.AppendChild(new LiteralInline("image"));
            }

            link.InsertBefore(new LiteralInline("Image: "));
        }

        link.Url = href;
        link.Title = null;
        link.GetAttributes().AddProperty("style", "color:#0b5cd5;text-decoration:underline;");
    }

    private static void SanitizeAutolink(AutolinkInline autolink)
    {
        var url = autolink.IsEmail ? $"mailto:{autolink.Url}" : autolink.Url;
        if (SafeLink.Markdown(url) is null)
        {
            autolink.ReplaceBy(new LiteralInline(autolink.Url));
            return;
        }

        autolink.GetAttributes().AddProperty("style", "color:#0b5cd5;text-decoration:underline;");
    }

    /// <summary>Replaces a link by its text; an image without alt text by <paramref name="fallback"/>.</summary>
    private static void Unwrap(LinkInline link, string? fallback)
    {
        var anchor = (Inline)link;
        var child = link.FirstChild;
        if (child is null)
        {
            link.ReplaceBy(new LiteralInline(fallback ?? string.Empty));
            return;
        }

        while (child is not null)
        {
            var next = child.NextSibling;
            child.Remove();
            anchor.InsertAfter(child);
            anchor = child;
            child = next;
        }

        link.Remove();
    }

    private static void Style(MarkdownObject node)
    {
        var style = node switch
        {
            ParagraphBlock => $"margin:0 0 12px 0;{Font}font-size:14px;line-height:1.5;",
            HeadingBlock => $"margin:16px 0 8px 0;{Font}font-size:15px;line-height:1.4;font-weight:bold;",
            QuoteBlock => "margin:0 0 12px 0;padding:0 0 0 12px;border-left:3px solid #c1c7d0;color:#42526e;",
            FencedCodeBlock or CodeBlock => $"display:block;margin:0 0 12px 0;padding:8px 12px;{Mono}font-size:13px;line-height:1.45;background-color:#f4f5f7;color:#172b4d;white-space:pre-wrap;word-break:break-word;border-radius:4px;",
            ListBlock => $"margin:0 0 12px 0;padding:0 0 0 24px;{Font}font-size:14px;line-height:1.5;",
            ThematicBreakBlock => "border:0;border-top:1px solid #dfe1e6;margin:12px 0;",
            CodeInline => $"{Mono}font-size:13px;padding:1px 4px;background-color:#f4f5f7;color:#172b4d;border-radius:3px;",
            _ => null,
        };

        if (style is not null)
        {
            var attributes = node.GetAttributes();
            // Classes (e.g. language-csharp on code) mean nothing without a style sheet.
            attributes.Classes?.Clear();
            attributes.AddProperty("style", style);
        }
    }
}
