using System.Globalization;
using System.Text.Json;

namespace Notifier.Settings;

/// <summary>
/// <c>local.settings.json</c> in the current folder, read the way the Functions tools read it: its
/// <c>Values</c> object holds the app settings (<c>"Mail__Host": "..."</c>). The commands add it below the
/// environment, so a variable set in the shell wins over the file.
/// </summary>
internal static class LocalSettingsFile
{
    public const string FileName = "local.settings.json";

    /// <summary>
    /// The file's settings as configuration keys (<c>Mail:Host</c>); none when there is no file. An unreadable
    /// file is a settings problem (<paramref name="problem"/>), not a crash.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Read(string directory, out string? problem)
    {
        problem = null;
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return values;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Values", out var settings)
                || settings.ValueKind != JsonValueKind.Object)
            {
                problem = $"{Path.GetFullPath(path)} has no \"Values\" object: put the settings inside \"Values\": {{ \"Mail__Host\": \"...\" }} as in local.settings.json.example, or remove the file.";
                return values;
            }

            foreach (var setting in settings.EnumerateObject())
            {
                values[setting.Name.Replace("__", ":", StringComparison.Ordinal)] = setting.Value.ValueKind switch
                {
                    JsonValueKind.String => setting.Value.GetString(),
                    JsonValueKind.Null => null,
                    JsonValueKind.Number => setting.Value.GetRawText(),
                    JsonValueKind.True or JsonValueKind.False => setting.Value.GetBoolean().ToString(CultureInfo.InvariantCulture),
                    _ => setting.Value.GetRawText(),
                };
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"{Path.GetFullPath(path)} could not be read: {ex.Message} Fix the file (it must be JSON, as local.settings.json.example) or remove it.";
        }

        return values;
    }
}
