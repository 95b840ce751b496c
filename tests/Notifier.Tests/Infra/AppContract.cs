using System.Reflection;
using System.Text.Json;
using Notifier.Notifications;
using Notifier.Smtp.Options;

namespace Notifier.Tests.Infra;

/// <summary>
/// What the app expects from its environment, read from the app itself: the settings its options classes
/// bind (plus those its local.settings.json.example names) and its committed function.json files.
/// </summary>
internal static class AppContract
{
    /// <summary>The configuration sections whose settings infra must provide.</summary>
    public static readonly string[] Sections = ["Mail", "Notifications", "KeyVault", "Rejected", "Bitbucket"];

    /// <summary>Options types of those sections: every class with a matching <c>const string SectionName</c>.</summary>
    public static IReadOnlyList<Type> OptionsTypes { get; } = FindOptionsTypes();

    /// <summary>Every <c>Section__Property</c> the app binds or documents.</summary>
    public static IReadOnlySet<string> Settings { get; } = ReadSettings();

    public static IReadOnlyList<FunctionManifest> Functions { get; } =
        [.. RepositoryLayout.FunctionManifests.Select(FunctionManifest.Load)];

    /// <summary>A fresh instance of the options type bound to <paramref name="section"/>, with its defaults.</summary>
    public static object DefaultOptions(string section) =>
        Activator.CreateInstance(OptionsTypes.Single(t => SectionOf(t) == section))!;

    private static List<Type> FindOptionsTypes()
    {
        var assemblies = new[] { typeof(MailOptions).Assembly, typeof(NotificationOptions).Assembly, typeof(Program).Assembly };
        return [.. assemblies
            .Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => SectionOf(t) is { } section && Sections.Contains(section, StringComparer.Ordinal))];
    }

    private static string? SectionOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            ? field.GetRawConstantValue() as string
            : null;

    /// <summary>Every settable property as a setting; a nested options class (Mail__OAuth2) adds its own, one level down.</summary>
    private static void AddProperties(HashSet<string> settings, Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The configuration binder sets public properties with a public setter.
            if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            if (property.PropertyType.IsClass && property.PropertyType != typeof(string) && property.PropertyType != typeof(Uri))
            {
                AddProperties(settings, property.PropertyType, $"{prefix}__{property.Name}");
            }
            else
            {
                settings.Add($"{prefix}__{property.Name}");
            }
        }
    }

    private static HashSet<string> ReadSettings()
    {
        var settings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in OptionsTypes)
        {
            AddProperties(settings, type, SectionOf(type)!);
        }

        // Read when present: the options classes alone already name every setting the app binds.
        foreach (var example in new[] { RepositoryLayout.LocalSettingsExample }.Where(File.Exists))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(example), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.TryGetProperty("Values", out var values))
            {
                foreach (var value in values.EnumerateObject())
                {
                    if (Sections.Any(s => value.Name.StartsWith(s + "__", StringComparison.Ordinal)))
                    {
                        settings.Add(value.Name);
                    }
                }
            }
        }

        return settings;
    }
}
