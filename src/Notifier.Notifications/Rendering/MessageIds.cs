using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Message-ID, thread and List-Id values. All are ASCII atoms under <c>notifier.{from-domain}</c> so they cannot
/// collide with ids other software mints for the sender's domain, and no event text can break their syntax.
/// </summary>
internal sealed class MessageIds(string domain)
{
    /// <summary>The domain for ids: the From domain in ASCII (punycode), or <c>localhost</c> when that fails.</summary>
    public static string DomainOf(string fromDomain)
    {
        try
        {
            var ascii = fromDomain.All(char.IsAscii) ? fromDomain : new IdnMapping().GetAscii(fromDomain);
            return ascii.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') && ascii.Length > 0 ? ascii.ToLowerInvariant() : "localhost";
        }
        catch (ArgumentException)
        {
            return "localhost";
        }
    }

    /// <summary>
    /// Unique per email: the event id (for finding it in logs), a hash of the recipient address (unique per
    /// recipient without revealing it) and 64 random bits (unique even when an event is delivered twice).
    /// </summary>
    public string ForEmail(string eventId, string recipientAddress)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(recipientAddress.ToLowerInvariant()), hash);
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return $"{HeaderText.Atom(eventId)}.{Convert.ToHexStringLower(hash[..6])}.{Convert.ToHexStringLower(random)}@notifier.{domain}";
    }

    /// <summary>The id every email about one pull request refers to; null when there is no repository.</summary>
    public string? PullRequestThread(Repository? repository, PullRequest pullRequest) =>
        repository is null
            ? null
            : $"pr.{HeaderText.Atom(repository.ProjectKey)}.{HeaderText.Atom(repository.Slug, 128)}.{pullRequest.Id.ToString(CultureInfo.InvariantCulture)}@notifier.{domain}";

    /// <summary>The id every email about the discussion of one commit refers to.</summary>
    public string? CommitThread(Repository? repository, Commit commit) =>
        repository is null
            ? null
            : $"commit.{HeaderText.Atom(repository.ProjectKey)}.{HeaderText.Atom(repository.Slug, 128)}.{HeaderText.Atom(commit.Id)}@notifier.{domain}";

    /// <summary><c>PROJ/repo &lt;repo.proj.notifier.example.com&gt;</c> (RFC 2919).</summary>
    public string? ListId(Repository? repository)
    {
        if (repository is null)
        {
            return null;
        }

        var project = HeaderText.Atom(repository.ProjectKey).ToLowerInvariant();
        var slug = HeaderText.Atom(repository.Slug, 128).ToLowerInvariant();
        var phrase = $"{HeaderText.Atom(repository.ProjectKey)}/{HeaderText.Atom(repository.Slug, 128)}";
        return $"{phrase} <{slug}.{project}.notifier.{domain}>";
    }
}
