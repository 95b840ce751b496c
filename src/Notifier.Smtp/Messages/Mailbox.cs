namespace Notifier.Smtp.Messages;

/// <summary>
/// An email address with an optional display name. Construction rejects control characters (CR, LF and the
/// rest) in both parts, so a mailbox can never smuggle a header into a message.
/// </summary>
public sealed record Mailbox
{
    public Mailbox(string address, string? displayName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!IsPlausibleAddress(address))
        {
            throw new FormatException($"'{Printable(address)}' is not an email address (expected local-part@domain, no spaces or control characters).");
        }

        if (displayName is not null && ContainsControl(displayName))
        {
            throw new FormatException("A display name must not contain control characters such as CR or LF.");
        }

        Address = address;
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
    }

    /// <summary>The addr-spec, e.g. <c>jane@example.com</c>.</summary>
    public string Address { get; }

    /// <summary>The display name, e.g. <c>Jane Doe</c>; null when there is none.</summary>
    public string? DisplayName { get; }

    /// <summary>The part after the last '@'.</summary>
    public string Domain => Address[(Address.LastIndexOf('@') + 1)..];

    /// <summary>Parses <c>jane@example.com</c> or <c>Jane Doe &lt;jane@example.com&gt;</c>.</summary>
    public static Mailbox Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var text = value.Trim();
        var open = text.LastIndexOf('<');
        if (open >= 0 && text.EndsWith('>'))
        {
            var name = text[..open].Trim().Trim('"');
            return new Mailbox(text[(open + 1)..^1].Trim(), name.Length == 0 ? null : name);
        }

        return new Mailbox(text);
    }

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? value, out Mailbox? mailbox)
    {
        mailbox = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        try
        {
            mailbox = Parse(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>For logs and the CLI; MimeKit encodes headers itself.</summary>
    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";

    private static bool IsPlausibleAddress(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.Length > 254 || at > 64)
        {
            return false;
        }

        foreach (var c in address)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or '"' or '\\' or '[' or ']')
            {
                return false;
            }
        }

        var domain = address[(at + 1)..];
        return !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal)
            && address.IndexOf('@') == at;
    }

    private static bool ContainsControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }

    private static string Printable(string value) =>
        string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
