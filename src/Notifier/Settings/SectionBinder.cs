using System.Reflection;
using Notifier.KeyVault;
using Notifier.Notifications;
using Notifier.Rejections;
using Notifier.Smtp.Options;
using Notifier.Webhooks;

namespace Notifier.Settings;

/// <summary>
/// Binds one settings section (<c>Mail</c>, <c>Notifications</c>...) onto its options object one value at a time, so
/// one unreadable value does not hide the others: the value keeps its default and is returned as a problem naming
/// the setting and the kind of value it takes. Bare numbers are seconds for time settings (<see cref="TimeSpanSettings"/>).
/// </summary>
internal static class SectionBinder
{
    /// <summary>Binds <paramref name="section"/> of <paramref name="configuration"/> onto <paramref name="options"/>; returns the values that could not be read.</summary>
    public static IReadOnlyList<string> Bind<T>(IConfiguration configuration, string section, T options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        // Nested sections (Notifications__Batching__*) are walked down to each value.
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            try
            {
                BindOne(new ConfigurationBuilder().AddInMemoryCollection(TimeSpanSettings.ReadBareNumbersAsSeconds(typeof(T), [new(key, value)])).Build(), options);
            }
            catch (InvalidOperationException)
            {
                problems.Add($"{section}__{key.Replace(":", "__", StringComparison.Ordinal)} has a value of the wrong kind: '{value}'. {Expectation(typeof(T), key)}");
            }
        }

        return problems;
    }

    /// <summary>
    /// Each options type bound through its own call, so the configuration binding generator writes the binding code
    /// at build time (precompiled with the app) instead of reflection and emitted accessors at every start.
    /// </summary>
    private static void BindOne<T>(IConfiguration value, T options)
        where T : class
    {
        switch (options)
        {
            case MailOptions mail:
                value.Bind(mail);
                break;
            case NotificationOptions notifications:
                value.Bind(notifications);
                break;
            case KeyVaultOptions keyVault:
                value.Bind(keyVault);
                break;
            case RejectedOptions rejected:
                value.Bind(rejected);
                break;
            case BitbucketOptions bitbucket:
                value.Bind(bitbucket);
                break;
            default:
                throw new ArgumentException($"{typeof(T).Name} is not a settings section", nameof(options));
        }
    }

    /// <summary>The section as written: every readable value bound, the unreadable ones left at their defaults.</summary>
    public static T Read<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        var options = new T();
        Bind(configuration, section, options);
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
}
