using System.Globalization;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// A comment's part of an email, the same on a pull request and on a commit: the file and line it is on, the
/// comment it answers, the text, and for an edit the text before it.
/// </summary>
internal static class CommentContent
{
    public static void Add(bool edited, Comment comment, List<Fact> facts, List<ContentBlock> blocks)
    {
        if (!string.IsNullOrWhiteSpace(comment.Path))
        {
            var line = comment.Line is { } n ? $", line {n.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
            // Before "When", which stays last.
            facts.Insert(facts.Count - 1, new Fact("File", [$"{TextLimit.OneLine(comment.Path)}{line}"]));
        }

        if (comment.Parent is { } parent)
        {
            blocks.Add(ContentText.Markdown($"In reply to {ContentText.Name(parent.Author)}", parent.Text, quoted: true, "the comment"));
        }

        var heading = edited ? $"{ContentText.Name(comment.Author)}’s comment, as edited" : $"{ContentText.Name(comment.Author)} wrote";
        blocks.Add(ContentText.Markdown(heading, comment.Text, quoted: false, "the comment"));
        if (edited && !string.IsNullOrWhiteSpace(comment.PreviousText))
        {
            blocks.Add(ContentText.Markdown("Before the edit", comment.PreviousText, quoted: true, "the comment"));
        }
    }
}
