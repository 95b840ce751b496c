using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>
/// One resource a deployment creates (its condition held), with every expression evaluated: type, name,
/// id, scope and body. A module is a <c>Microsoft.Resources/deployments</c> resource whose
/// <see cref="Deployment"/> is the module's own evaluated deployment.
/// </summary>
internal sealed class ArmResource
{
    private readonly Lazy<Dictionary<string, object?>> _body;
    private readonly Lazy<ArmDeployment?> _deployment;

    public ArmResource(
        string type, string apiVersion, string name, string id, string? scope, JsonElement declaration,
        Func<Dictionary<string, object?>> body, Func<ArmDeployment?> deployment)
    {
        Type = type;
        ApiVersion = apiVersion;
        Name = name;
        Id = id;
        Scope = scope;
        Declaration = declaration;
        _body = new Lazy<Dictionary<string, object?>>(body);
        _deployment = new Lazy<ArmDeployment?>(deployment);
    }

    public string Type { get; }

    public string ApiVersion { get; }

    /// <summary>The full name, e.g. <c>sb-x/pullrequest-events</c> for a queue.</summary>
    public string Name { get; }

    /// <summary>The last segment of <see cref="Name"/>: a queue's or a container's own name.</summary>
    public string ShortName => Name[(Name.LastIndexOf('/') + 1)..];

    /// <summary>The resource id (the same fake subscription and group for every deployment of a test run).</summary>
    public string Id { get; }

    /// <summary>The resource id an extension resource (a role assignment, an alert's scope) is attached to; null for others.</summary>
    public string? Scope { get; }

    /// <summary>The compiled JSON that declared it, expressions unevaluated.</summary>
    public JsonElement Declaration { get; }

    /// <summary>Every other top-level property (sku, kind, identity, properties, ...), evaluated; a module's nested template is left out.</summary>
    public IReadOnlyDictionary<string, object?> Body => _body.Value;

    /// <summary>The module's deployment when this is a <c>Microsoft.Resources/deployments</c> resource.</summary>
    public ArmDeployment? Deployment => _deployment.Value;

    /// <summary>Reads <c>properties.sku.name</c>-style paths in <see cref="Body"/>; null when a step is missing.</summary>
    public object? Get(string path)
    {
        object? current = _body.Value;
        foreach (var step in path.Split('.'))
        {
            if (current is not Dictionary<string, object?> o || !o.TryGetValue(step, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>The value at <paramref name="path"/> as text (<see cref="ArmValues.ToText"/>), or null when missing.</summary>
    public string? GetText(string path) => Get(path) is { } value ? ArmValues.ToText(value) : null;

    /// <summary>The placeholder a runtime property of this resource evaluates to, e.g. <c>Runtime("principalId")</c>.</summary>
    public string Runtime(string path) => $"ref({Type}/{Name}).{path}";

    public override string ToString() => $"{Type} '{Name}'";
}
