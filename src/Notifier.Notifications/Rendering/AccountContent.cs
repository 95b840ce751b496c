using System.Globalization;
using Notifier.Notifications.Events;
using static Notifier.Notifications.Rendering.ContentText;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// What an account email says (a new account's set-password link, a password reset): the user name, the link
/// and when it expires, and what to do when the reader did not expect it.
/// </summary>
/// <param name="timeProvider">The clock for "expires in 3 hours".</param>
/// <param name="siteUrl">The site named in the text; without it, the link's host.</param>
internal sealed class AccountContent(TimeProvider timeProvider, Uri? siteUrl)
{
    /// <summary>Up to this many minutes a link's time left is said in minutes, then in hours.</summary>
    private const double MinutesBeforeHours = 90;

    /// <summary>Up to this many hours a link's time left is said in hours, then in days.</summary>
    private const double HoursBeforeDays = 48;

    public EmailContent Build(NotificationEvent e)
    {
        var account = e.Account;
        var user = account?.User ?? e.Actor;
        var userName = TextLimit.OneLine(user.Name, ContentLimits.Name);
        var site = SiteName(account?.Link);
        var created = e.Type == EventTypes.AccountCreated;
        var expiry = account?.ExpiresAt is { } expires ? $"{When(expires)} ({Relative(expires)})" : null;

        var paragraphs = new List<string>();
        if (created)
        {
            paragraphs.Add($"An account with the user name {userName} was created for you on {site}. Choose a password with the link below to start using it.");
        }
        else
        {
            paragraphs.Add($"Someone asked to reset the password of the account {userName} on {site}. Choose a new password with the link below.");
        }

        paragraphs.Add(expiry is null
            ? "The link works once."
            : $"The link works once and expires on {expiry}.");

        var warning = created
            ? "If you did not expect an account on this site, ignore this email: no password is set until the link is used, and the link stops working when it expires."
            : "If you did not ask for this, ignore this email: your password stays as it is. If you get these emails often without asking, tell your administrator.";

        var facts = new List<Fact> { new("User name", [userName]) };
        if (expiry is not null)
        {
            facts.Add(new Fact("Link expires", [expiry]));
        }

        return new EmailContent
        {
            Subject = created ? $"Your new account {userName} on {site}: set your password" : $"Password reset for {userName} on {site}",
            Context = site,
            Headline = created ? $"Welcome, {Name(user)}." : $"Reset your password, {Name(user)}.",
            Title = created ? "Set your password" : "Reset your password",
            Facts = facts,
            Blocks = [new NoticeBlock(string.Empty, paragraphs), new NoticeBlock(created ? "Not expecting this?" : "Did not ask for this?", [warning])],
            Action = Link(created ? "Set your password" : "Reset your password", account?.Link),
            Kind = SubjectKind.Account,
        };
    }

    private string SiteName(Uri? link)
    {
        var host = siteUrl?.IdnHost ?? (link is { IsAbsoluteUri: true } ? link.IdnHost : null);
        return string.IsNullOrEmpty(host) ? "the site" : TextLimit.OneLine(host, ContentLimits.Name);
    }

    private string Relative(DateTimeOffset time)
    {
        var left = time - timeProvider.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return "already expired";
        }

        return left switch
        {
            { TotalMinutes: < 1 } => "in less than a minute",
            { TotalMinutes: < MinutesBeforeHours } => $"in {Plural((int)Math.Round(left.TotalMinutes), "minute")}",
            { TotalHours: < HoursBeforeDays } => $"in {Plural((int)Math.Round(left.TotalHours), "hour")}",
            _ => $"in {Plural((int)Math.Round(left.TotalDays), "day")}",
        };
    }

    private static string Plural(int n, string unit) =>
        $"{n.ToString(CultureInfo.InvariantCulture)} {unit}{(n == 1 ? string.Empty : "s")}";
}
