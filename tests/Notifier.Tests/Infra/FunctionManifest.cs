using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>A function.json: the function's name (its folder) and its bindings.</summary>
internal sealed record FunctionManifest(string Name, string Path, IReadOnlyList<FunctionBinding> Bindings)
{
    public static FunctionManifest Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var bindings = new List<FunctionBinding>();
        foreach (var binding in document.RootElement.GetProperty("bindings").EnumerateArray())
        {
            bindings.Add(new FunctionBinding(
                Read(binding, "type") ?? string.Empty,
                Read(binding, "direction") ?? string.Empty,
                Read(binding, "name") ?? string.Empty,
                Read(binding, "queueName"),
                Read(binding, "connection"),
                Read(binding, "route"),
                Read(binding, "authLevel")));
        }

        return new FunctionManifest(System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path)!)!, path, bindings);
    }

    /// <summary>Service Bus bindings (trigger or output), the ones that name a queue.</summary>
    public IEnumerable<FunctionBinding> ServiceBusBindings =>
        Bindings.Where(b => b.Type.StartsWith("serviceBus", StringComparison.OrdinalIgnoreCase));

    private static string? Read(JsonElement binding, string property)
    {
        foreach (var candidate in binding.EnumerateObject())
        {
            // The host reads binding properties case-insensitively.
            if (string.Equals(candidate.Name, property, StringComparison.OrdinalIgnoreCase) && candidate.Value.ValueKind == JsonValueKind.String)
            {
                return candidate.Value.GetString();
            }
        }

        return null;
    }
}
