using System.Reflection;
using Notifier.KeyVault;
using Notifier.Notifications;
using Notifier.Rejections;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
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

    private NotifierSettings(MailOptions mail, NotificationOptions notifications, KeyVaultOptions keyVault, RejectedOptions rejected, BitbucketOptions bitbucket, Mailbox from, IReadOnlyList<string> problems)
    {
        Bitbucket = bitbucket;
        Mail = mail;
        Rejected = rejected;
        Notifications = notifications;
        KeyVault = keyVault;
        From = from;
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

    public static NotifierSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var mail = Bind<MailOptions>(configuration, MailOptions.SectionName, problems);
        var notifications = Bind<NotificationOptions>(configuration, NotificationOptions.SectionName, problems);
        var keyVault = Bind<KeyVaultOptions>(configuration, KeyVaultOptions.SectionName, problems);
        var rejected = Bind<RejectedOptions>(configuration, RejectedOptions.SectionName, problems);
        var bitbucket = Bind<BitbucketOptions>(configuration, BitbucketOptions.SectionName, problems);

        AddFailures(problems, new MailOptionsValidator().Validate(null, mail).Failures);
        AddFailures(problems, new NotificationOptionsValidator().Validate(null, notifications).Failures);
        AddFailures(problems, new KeyVaultOptionsValidator().Validate(null, keyVault).Failures);
        AddFailures(problems, new RejectedOptionsValidator().Validate(null, rejected).Failures);
        problems.AddRange(Notifier.Storage.StorageConnection.Problems(configuration));

        CheckCredentialSource(mail, keyVault, problems);

        var from = ReadFrom(mail);
        return new NotifierSettings(mail, notifications, keyVault, rejected, bitbucket, from, problems);
    }

    /// <summary>Where the secret comes from: Mail__* or Key Vault, never both; OAuth2 applications need the vault.</summary>
    private static void CheckCredentialSource(MailOptions mail, KeyVaultOptions keyVault, List<string> problems)
    {
        switch (mail.Authentication)
        {
            case MailAuthentication.OAuth2 when mail.OAuth2.UsesApplication && !keyVault.IsEnabled:
                problems.Add($"Mail__OAuth2__TenantId/Mail__OAuth2__ClientId name an Entra application, whose client secret is read from Key Vault: set KeyVault__Uri (the secret '{keyVault.ClientSecretSecret}', see KeyVault__ClientSecretSecret), or clear both to use the app's managed identity.");
                break;
            case MailAuthentication.OAuth2:
                // Mail__Username is the mailbox, not a secret, so it stays in Mail__* even with Key Vault.
                break;
            case MailAuthentication.Password when mail.IsAnonymous && !keyVault.IsEnabled:
                problems.Add("Mail__Authentication=Password needs a username and password: set Mail__Username and Mail__Password, or KeyVault__Uri to read them from Key Vault.");
                break;
            default:
                if (keyVault.IsEnabled && !mail.IsAnonymous)
                {
                    problems.Add("KeyVault__Uri is set, so the username and password are read from Key Vault: remove Mail__Username and Mail__Password.");
                }

                break;
        }
    }

    /// <summary>Mail__From, or <see cref="LocalFrom"/> when it is empty or unusable (the validator reports that).</summary>
    private static Mailbox ReadFrom(MailOptions mail) =>
        Mailbox.TryParse(mail.From, out var from) ? from : Mailbox.Parse(LocalFrom);

    private static T Bind<T>(IConfiguration configuration, string section, List<string> problems)
        where T : new()
    {
        var options = new T();
        // Bound one setting at a time so one unreadable value does not hide the others; nested sections
        // (Notifications__Batching__*) are walked down to each value.
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            try
            {
                new ConfigurationBuilder().AddInMemoryCollection(TimeSpanSettings.ReadBareNumbersAsSeconds(typeof(T), [new(key, value)])).Build().Bind(options);
            }
            catch (InvalidOperationException)
            {
                problems.Add($"{section}__{key.Replace(":", "__", StringComparison.Ordinal)} has a value of the wrong kind: '{value}'. {Expectation(typeof(T), key)}");
            }
        }

        return options;
    }

    private static string Expectation(Type type, string key)
    {
        var target = type;
        foreach (var name in key.Split(':'))
        {
            var property = target?.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            target = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }

        return target switch
        {
            null => string.Empty,
            { IsEnum: true } => $"Use one of: {string.Join(", ", Enum.GetNames(target))}.",
            _ when target == typeof(TimeSpan) => "Use seconds (e.g. 30) or a time span such as 00:00:30.",
            _ when target == typeof(int) => "Use a whole number.",
            _ when target == typeof(bool) => "Use true or false.",
            _ when target == typeof(Uri) => "Use an absolute URL.",
            _ => string.Empty,
        };
    }

    private static void AddFailures(List<string> problems, IEnumerable<string>? failures)
    {
        if (failures is not null)
        {
            problems.AddRange(failures);
        }
    }
}
