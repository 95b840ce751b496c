using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>One .bicep file, its source text and the ARM JSON the compiler made of it.</summary>
internal sealed record CompiledBicepFile(string SourcePath, string Source, JsonElement Template)
{
    /// <summary>The path relative to the repository, e.g. <c>infra/modules/servicebus.bicep</c>.</summary>
    public string RelativePath => RepositoryLayout.Relative(SourcePath);

    /// <summary>Declared parameters by name (case-insensitive, as ARM treats them).</summary>
    public IReadOnlyDictionary<string, JsonElement> Parameters => Section("parameters");

    public IReadOnlyDictionary<string, JsonElement> Variables => Section("variables");

    public IReadOnlyDictionary<string, JsonElement> Outputs => Section("outputs");

    /// <summary>The resources the file declares itself, unevaluated (a module is one deployments resource).</summary>
    public IReadOnlyList<JsonElement> Resources =>
        Template.TryGetProperty("resources", out var resources) ? [.. resources.EnumerateArray()] : [];

    /// <summary>Whether the parameter has no default, so a caller must pass it.</summary>
    public bool IsRequired(string parameter) => !Parameters[parameter].TryGetProperty("defaultValue", out _);

    /// <summary>The parameter's declared ARM type: string, int, bool, object, array, securestring, secureObject.</summary>
    public string TypeOf(string parameter) => Parameters[parameter].GetProperty("type").GetString()!;

    private Dictionary<string, JsonElement> Section(string name) =>
        Template.TryGetProperty(name, out var section)
            ? section.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
}
