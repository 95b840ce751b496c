using Microsoft.Extensions.Options;
using Notifier.KeyVault;
using Notifier.Notifications;
using Notifier.Rejections;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Storage;
using Notifier.Webhooks;

namespace Notifier.Settings;

/// <summary>
/// Every setting the app reads, bound and validated at once (README.md, "Configuration"). The handler and the CLI both
/// start here, so both list the same problems, each naming the setting to change.
/// </summary>
public sealed class NotifierSettings
{
    /// <summary>The From used for local runs when Mail__Host and Mail__From are both empty.</summary>
    public const string LocalFrom = "Notifier <notifier@localhost>";

    /// <summary>Reads every section through the options system; invalid values are listed, never thrown.</summary>
    public NotifierSettings(
        IConfiguration configuration,
        IOptions<MailOptions> mail,
        IOptions<NotificationOptions> notifications,
        IOptions<KeyVaultOptions> keyVault,
        IOptions<RejectedOptions> rejected,
        IOptions<BitbucketOptions> bitbucket)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        Mail = Read(mail, configuration, MailOptions.SectionName, problems);
        Notifications = Read(notifications, configuration, NotificationOptions.SectionName, problems);
        KeyVault = Read(keyVault, configuration, KeyVaultOptions.SectionName, problems);
        Rejected = Read(rejected, configuration, RejectedOptions.SectionName, problems);
        Bitbucket = Read(bitbucket, configuration, BitbucketOptions.SectionName, problems);
        problems.AddRange(StorageConnection.Problems(configuration));
        problems.AddRange(CredentialSource.Problems(Mail, KeyVault));
        // Mail__From's rule is MailOptionsValidator's; an unusable From was reported there and the local one stands in.
        From = Mailbox.TryParse(Mail.From, out var from) ? from : Mailbox.Parse(LocalFrom);
        Problems = problems;
    }

    public MailOptions Mail { get; }

    public NotificationOptions Notifications { get; }

    public KeyVaultOptions KeyVault { get; }

    /// <summary>Rejected envelopes: their largest size and the blob container for bodies that do not fit.</summary>
    public RejectedOptions Rejected { get; }

    /// <summary><c>Bitbucket__*</c>: the BitbucketWebhook function's secret.</summary>
    public BitbucketOptions Bitbucket { get; }

    /// <summary>The parsed Mail__From (or <see cref="LocalFrom"/> for outbox runs).</summary>
    public Mailbox From { get; }

    /// <summary>Every problem found; empty when the settings are usable.</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool IsValid => Problems.Count == 0;

    /// <summary>All problems in one message for the handler's log: the app restarts when its settings change.</summary>
    public string Describe() => Describe("change these in the app settings (the app restarts with them)");

    /// <summary>All problems in one message, ending with what to do next (a command is simply run again).</summary>
    public string Describe(string whatNext) =>
        $"The settings are not usable; {whatNext}:" + Environment.NewLine
        + string.Join(Environment.NewLine, Problems.Select(p => "  - " + p));

    /// <summary>The settings from <paramref name="configuration"/> alone, through the registrations the handler and the CLI use.</summary>
    public static NotifierSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        using var services = new ServiceCollection().AddSingleton(configuration).AddNotifierSettings().BuildServiceProvider();
        return services.GetRequiredService<NotifierSettings>();
    }

    /// <summary>
    /// The section's options as validated, or, when its validators fail, their failures added to
    /// <paramref name="problems"/> and the values as written: what does not depend on the failed rules keeps
    /// working (a Bitbucket secret beside an unreadable switch, the mail server shown in the test email's report).
    /// </summary>
    private static T Read<T>(IOptions<T> options, IConfiguration configuration, string section, List<string> problems)
        where T : class, new()
    {
        try
        {
            return options.Value;
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
            return SectionBinder.Read<T>(configuration, section);
        }
    }
}
