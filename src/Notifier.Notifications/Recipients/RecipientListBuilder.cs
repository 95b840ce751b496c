using Notifier.Notifications.Events;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Recipients;

/// <summary>
/// Collects recipients for one event: leaves out the actor, collapses duplicate addresses (case-insensitive,
/// keeping the strongest reason), counts users without an address and reports invalid ones.
/// </summary>
internal sealed class RecipientListBuilder(User? actor)
{
    private readonly List<Recipient> _recipients = [];
    private readonly Dictionary<string, int> _indexByAddress = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _skippedNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _invalid = [];

    public void Add(User? user, RecipientReason reason)
    {
        if (user is null || IsActor(user))
        {
            return;
        }

        var address = user.Email?.Trim();
        if (string.IsNullOrEmpty(address))
        {
            // Counted once per person, however many roles they have.
            _skippedNames.Add(user.Name);
            return;
        }

        if (_indexByAddress.TryGetValue(address, out var index))
        {
            // Reasons are ordered strongest first (author, reviewer, participant, watcher).
            if (reason < _recipients[index].Reason)
            {
                _recipients[index] = _recipients[index] with { Reason = reason };
            }

            return;
        }

        if (!TryMailbox(address, user.Label, out var mailbox))
        {
            var shown = Printable(address);
            if (!_invalid.Contains(shown, StringComparer.OrdinalIgnoreCase))
            {
                _invalid.Add(shown);
            }

            return;
        }

        _indexByAddress[address] = _recipients.Count;
        _recipients.Add(new Recipient(user, mailbox, reason));
    }

    public void AddRange(IEnumerable<User> users, RecipientReason reason)
    {
        foreach (var user in users)
        {
            Add(user, reason);
        }
    }

    public void AddRange(IEnumerable<Participant> participants, RecipientReason reason)
    {
        foreach (var participant in participants)
        {
            Add(participant.User, reason);
        }
    }

    public RecipientSet Build(string? note = null) => new(_recipients.ToArray(), _skippedNames.Count, _invalid.ToArray()) { Note = note };

    private bool IsActor(User user) =>
        actor is not null
        && (string.Equals(user.Name, actor.Name, StringComparison.OrdinalIgnoreCase)
            || (!string.IsNullOrWhiteSpace(user.Email) && string.Equals(user.Email.Trim(), actor.Email?.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static bool TryMailbox(string address, string label, out Mailbox mailbox)
    {
        try
        {
            mailbox = new Mailbox(address, DisplayName(label));
            return true;
        }
        catch (FormatException)
        {
            mailbox = null!;
            return false;
        }
    }

    /// <summary>A display name safe for a header: control characters (CR, LF, ...) become spaces.</summary>
    internal static string? DisplayName(string label)
    {
        var clean = string.Create(label.Length, label, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c;
            }
        }).Trim();
        return clean.Length == 0 ? null : clean;
    }

    private static string Printable(string value) => Events.Parsing.JsonFields.Printable(value, 254);
}
