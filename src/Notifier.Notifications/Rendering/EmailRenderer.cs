using System.Text;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Turns an event and its recipients into the emails to send: one per recipient, each multipart/alternative
/// (text and HTML), differing only in the "why you get this" sentence, <c>X-Notifier-Reason</c> and Message-ID.
/// Never throws for event content: every value is escaped for HTML and cleaned for headers here.
/// </summary>
public sealed class EmailRenderer
{
    private readonly Mailbox _from;
    private readonly string _subjectPrefix;
    private readonly MessageIds _ids;
    private readonly EventContentBuilder _builder;

    public EmailRenderer(NotificationOptions options, Mailbox from)
        : this(options, from, TimeProvider.System)
    {
    }

    /// <param name="options">Subject prefix and site URL.</param>
    /// <param name="from">The From mailbox; its domain also names Message-IDs and List-Ids.</param>
    /// <param name="timeProvider">The clock for "the link expires in 3 hours" in account emails.</param>
    public EmailRenderer(NotificationOptions options, Mailbox from, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _from = from;
        _subjectPrefix = HeaderText.Clean(options.SubjectPrefix, 60);
        _ids = new MessageIds(MessageIds.DomainOf(from.Domain));
        _builder = new EventContentBuilder(timeProvider, options.BaseUrl);
    }

    public IReadOnlyList<EmailMessage> Render(NotificationEvent notificationEvent, RecipientSet recipients)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Recipients.Count == 0)
        {
            return [];
        }

        var content = _builder.Build(notificationEvent);
        var subject = Subject(content);
        using var text = TextEmailWriter.Write(content);
        using var html = HtmlEmailWriter.Write(content, subject);
        var shared = SharedHeaders(notificationEvent, content.Kind, notificationEvent.Type);

        var messages = new EmailMessage[recipients.Recipients.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = Message(notificationEvent.Id, content.Kind, subject, text, html, shared, recipients.Recipients[i], batchSize: null);
        }

        return messages;
    }

    /// <summary>
    /// One person's digest of several events about one thread, oldest first: one email in the thread's
    /// conversation listing every item, with <c>X-Notifier-Batch-Size</c>. A digest of one event is that event's
    /// ordinary email, with the header too.
    /// </summary>
    public EmailMessage RenderDigest(IReadOnlyList<NotificationEvent> events, Recipient recipient)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        var latest = events[^1];
        var content = events.Count == 1 ? _builder.Build(latest) : new DigestContentBuilder(_builder).Build(events);
        var subject = Subject(content);
        using var text = TextEmailWriter.Write(content);
        using var html = HtmlEmailWriter.Write(content, subject);
        var shared = SharedHeaders(latest, content.Kind, events.Count == 1 ? latest.Type : DigestContentBuilder.EventHeader);
        return Message(latest.Id, content.Kind, subject, text, html, shared, recipient, events.Count);
    }

    private EmailMessage Message(string eventId, SubjectKind kind, string subject, BodyTemplate text, BodyTemplate html, List<KeyValuePair<string, string>> shared, Recipient recipient, int? batchSize)
    {
        var reason = ReasonText.For(recipient.Reason, kind);
        var wrapped = new StringBuilder(reason.Length + 8);
        TextWrapper.AppendWrapped(wrapped, reason);
        wrapped.Length--;

        var headers = new List<KeyValuePair<string, string>>(shared.Count + 2);
        headers.AddRange(shared);
        headers.Add(new("X-Notifier-Reason", ReasonText.HeaderValue(recipient.Reason)));
        if (batchSize is { } size)
        {
            headers.Add(new("X-Notifier-Batch-Size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new EmailMessage
        {
            From = _from,
            To = [recipient.Mailbox],
            Subject = subject,
            TextBody = text.Fill(wrapped.ToString()),
            HtmlBody = html.Fill(HtmlText.Encode(reason)),
            MessageId = _ids.ForEmail(eventId, recipient.Mailbox.Address),
            Headers = headers,
        };
    }

    /// <summary>
    /// <c>Re: </c> comes before the configured prefix: Gmail compares subjects after removing a leading
    /// <c>Re:</c>, so the whole rest must be the same for every email of a thread.
    /// </summary>
    internal string Subject(EmailContent content)
    {
        var subject = _subjectPrefix.Length > 0 ? $"{_subjectPrefix} {content.Subject}" : content.Subject;
        return HeaderText.Clean(content.IsReply ? "Re: " + subject : subject, 250);
    }

    /// <summary>
    /// Threading: every email about one pull request (or one commit's discussion) names the same stable id in
    /// In-Reply-To and References. No message ever carries that id as its own Message-ID: each recipient's
    /// copy needs a unique one, and a reviewer added later never got the "opened" email, so a real root message
    /// would be missing for some readers anyway. Clients (Thunderbird, Apple Mail, Outlook, Gmail with matching
    /// subjects) group messages that share a missing parent, which gives one thread per pull request.
    /// </summary>
    private List<KeyValuePair<string, string>> SharedHeaders(NotificationEvent e, SubjectKind kind, string eventHeader)
    {
        var headers = new List<KeyValuePair<string, string>>(7);
        var thread = kind switch
        {
            SubjectKind.PullRequest when e.PullRequest is not null => _ids.PullRequestThread(e.Repository, e.PullRequest),
            SubjectKind.Commit when e.Commit is not null => _ids.CommitThread(e.Repository, e.Commit),
            _ => null,
        };

        if (thread is not null)
        {
            headers.Add(new("In-Reply-To", $"<{thread}>"));
            headers.Add(new("References", $"<{thread}>"));
        }

        headers.Add(new("Auto-Submitted", "auto-generated"));
        // Stops Exchange and Outlook from sending out-of-office and other automatic replies to a no-reply sender.
        headers.Add(new("X-Auto-Response-Suppress", "All"));
        if (kind != SubjectKind.Account && _ids.ListId(e.Repository) is { } listId)
        {
            headers.Add(new("List-Id", listId));
        }

        headers.Add(new("X-Notifier-Event", HeaderText.Clean(eventHeader, 60)));
        return headers;
    }
}
