using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Notifier.Tests.Infra;

/// <summary>
/// A compiled ARM template evaluated as Azure Resource Manager would for given parameter values: which
/// resources it creates (conditions and copy loops applied), with their names, ids, scopes and bodies, its
/// modules (nested deployments, evaluated the same way) and its outputs. Values known only while Azure
/// deploys (principal ids, endpoints) stay as <see cref="ArmRuntimeValue"/> placeholders. It covers the
/// functions the Bicep compiler emits for infra/; any other throws <see cref="NotSupportedException"/>
/// naming it, so a new one is added here rather than misread.
/// </summary>
internal sealed class ArmDeployment
{
    public const string DeploymentType = "Microsoft.Resources/deployments";
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
    public const string TenantId = "00000000-0000-0000-0000-000000000002";
    public const string ResourceGroupName = "rg-notifier-test";
    public const string Location = "swedencentral";

    private static readonly string ResourceGroupId = $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroupName}";

    private readonly JsonElement _template;
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _evaluatingVariables = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<IReadOnlyList<ArmResource>> _resources;
    private readonly Lazy<IReadOnlyDictionary<string, object?>> _outputs;

    private ArmDeployment(string name, JsonElement template, IReadOnlyDictionary<string, object?> parameterValues)
    {
        Name = name;
        _template = template;
        if (template.TryGetProperty("languageVersion", out var language))
        {
            throw new NotSupportedException($"template '{name}' uses languageVersion {language}: symbolic-name templates are not evaluated here");
        }

        Parameters = ReadParameters(parameterValues);
        _resources = new Lazy<IReadOnlyList<ArmResource>>(DeclareResources);
        _outputs = new Lazy<IReadOnlyDictionary<string, object?>>(EvaluateOutputs);
    }

    /// <summary>The deployment's name: <c>main</c>, or the module's deployment name.</summary>
    public string Name { get; }

    /// <summary>Every parameter's effective value (given, else its default).</summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; }

    /// <summary>The resources this template creates itself (modules included, their contents not).</summary>
    public IReadOnlyList<ArmResource> Resources => _resources.Value;

    /// <summary>Every resource created by this template and, recursively, by its modules.</summary>
    public IEnumerable<ArmResource> AllResources =>
        Resources.SelectMany(r => r.Deployment is { } module ? module.AllResources.Prepend(r) : [r]);

    public IReadOnlyDictionary<string, object?> Outputs => _outputs.Value;

    /// <summary>Evaluates <paramref name="template"/> (compiled ARM JSON) with <paramref name="parameters"/> (name → value).</summary>
    public static ArmDeployment Evaluate(JsonElement template, IReadOnlyDictionary<string, object?> parameters, string name = "main") =>
        new(name, template, parameters);

    /// <summary>The deployment of the module deployed under <paramref name="deploymentName"/>.</summary>
    public ArmDeployment Module(string deploymentName) =>
        Resources.SingleOrDefault(r => r.Type == DeploymentType && r.Name == deploymentName)?.Deployment
        ?? throw new InvalidOperationException($"deployment '{Name}' has no module deployed as '{deploymentName}'");

    private Dictionary<string, object?> ReadParameters(IReadOnlyDictionary<string, object?> given)
    {
        var declared = _template.TryGetProperty("parameters", out var p) ? p.EnumerateObject().ToList() : [];
        var unknown = given.Keys.Where(k => !declared.Any(d => string.Equals(d.Name, k, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"template '{Name}' declares no parameter {string.Join(", ", unknown)}");
        }

        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in declared)
        {
            if (given.TryGetValue(parameter.Name, out var value))
            {
                values[parameter.Name] = value;
            }
            else if (parameter.Value.TryGetProperty("defaultValue", out var defaultValue))
            {
                values[parameter.Name] = null;
                values[parameter.Name] = EvaluateJson(defaultValue, Loop.None);
            }
            else
            {
                throw new ArgumentException($"template '{Name}' requires parameter '{parameter.Name}'");
            }

            if (parameter.Value.TryGetProperty("allowedValues", out var allowed)
                && !allowed.EnumerateArray().Any(a => ArmValues.AreEqual(ArmValues.FromLiteral(a), values[parameter.Name])))
            {
                throw new ArgumentException($"parameter '{parameter.Name}' of '{Name}' does not allow {ArmValues.ToText(values[parameter.Name])}");
            }
        }

        return values;
    }

    private List<ArmResource> DeclareResources()
    {
        var resources = new List<ArmResource>();
        if (!_template.TryGetProperty("resources", out var declared))
        {
            return resources;
        }

        foreach (var declaration in declared.EnumerateArray())
        {
            if (declaration.TryGetProperty("copy", out var copy))
            {
                var loopName = copy.GetProperty("name").GetString()!;
                var count = Convert.ToInt32(EvaluateJson(copy.GetProperty("count"), Loop.None), CultureInfo.InvariantCulture);
                for (var index = 0; index < count; index++)
                {
                    Declare(resources, declaration, new Loop(index, ImmutableDictionary<string, int>.Empty.Add(loopName, index)));
                }
            }
            else
            {
                Declare(resources, declaration, Loop.None);
            }
        }

        return resources;
    }

    private void Declare(List<ArmResource> resources, JsonElement declaration, Loop loop)
    {
        if (declaration.TryGetProperty("condition", out var condition) && EvaluateJson(condition, loop) is not true)
        {
            return;
        }

        var type = Text(declaration, "type", loop);
        var name = Text(declaration, "name", loop);
        var scope = declaration.TryGetProperty("scope", out var s) ? ArmValues.ToText(EvaluateJson(s, loop)) : null;
        var id = scope is not null
            ? $"{scope}/providers/{type}/{name}"
            : type == DeploymentType ? ResourceId([type, name]) : ResourceId([type, .. name.Split('/')]);
        var isModule = type == DeploymentType;
        resources.Add(new ArmResource(
            type,
            Text(declaration, "apiVersion", loop),
            name,
            id,
            scope,
            declaration,
            () => EvaluateBody(declaration, loop, isModule),
            () => isModule ? EvaluateModule(name, declaration, loop) : null));
    }

    private string Text(JsonElement declaration, string property, Loop loop) =>
        ArmValues.ToText(EvaluateJson(declaration.GetProperty(property), loop));

    private Dictionary<string, object?> EvaluateBody(JsonElement declaration, Loop loop, bool isModule)
    {
        var body = ArmValues.NewObject();
        foreach (var property in declaration.EnumerateObject())
        {
            if (property.Name is "copy" or "condition" or "dependsOn" or "type" or "apiVersion" or "name" or "scope"
                || (isModule && property.Name == "properties"))
            {
                continue;
            }

            body[property.Name] = EvaluateJson(property.Value, loop);
        }

        return body;
    }

    private ArmDeployment EvaluateModule(string name, JsonElement declaration, Loop loop)
    {
        var properties = declaration.GetProperty("properties");
        if (!properties.TryGetProperty("expressionEvaluationOptions", out var options)
            || !string.Equals(options.GetProperty("scope").GetString(), "inner", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"module '{name}' is not evaluated in inner scope");
        }

        var parameters = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (properties.TryGetProperty("parameters", out var given))
        {
            foreach (var parameter in given.EnumerateObject())
            {
                parameters[parameter.Name] = EvaluateJson(parameter.Value.GetProperty("value"), loop);
            }
        }

        return new ArmDeployment(name, properties.GetProperty("template"), parameters);
    }

    private Dictionary<string, object?> EvaluateOutputs()
    {
        var outputs = ArmValues.NewObject();
        if (_template.TryGetProperty("outputs", out var declared))
        {
            foreach (var output in declared.EnumerateObject())
            {
                if (output.Value.TryGetProperty("condition", out var condition) && EvaluateJson(condition, Loop.None) is not true)
                {
                    continue;
                }

                outputs[output.Name] = EvaluateJson(output.Value.GetProperty("value"), Loop.None);
            }
        }

        return outputs;
    }

    private object? Variable(string name)
    {
        if (_variables.TryGetValue(name, out var value))
        {
            return value;
        }

        if (!_evaluatingVariables.Add(name))
        {
            throw new InvalidOperationException($"variable '{name}' of '{Name}' refers to itself");
        }

        var variables = _template.GetProperty("variables");
        if (variables.TryGetProperty(name, out var declared))
        {
            value = EvaluateJson(declared, Loop.None);
        }
        else if (variables.TryGetProperty("copy", out var copies)
            && copies.EnumerateArray().FirstOrDefault(c => string.Equals(c.GetProperty("name").GetString(), name, StringComparison.OrdinalIgnoreCase)) is { ValueKind: JsonValueKind.Object } copy)
        {
            value = ExpandCopy(copy, Loop.None);
        }
        else
        {
            throw new KeyNotFoundException($"template '{Name}' has no variable '{name}'");
        }

        _variables[name] = value;
        _evaluatingVariables.Remove(name);
        return value;
    }

    private List<object?> ExpandCopy(JsonElement copy, Loop loop)
    {
        var name = copy.GetProperty("name").GetString()!;
        var count = Convert.ToInt32(EvaluateJson(copy.GetProperty("count"), loop), CultureInfo.InvariantCulture);
        var items = new List<object?>();
        for (var index = 0; index < count; index++)
        {
            items.Add(EvaluateJson(copy.GetProperty("input"), loop with { Named = loop.Named.SetItem(name, index) }));
        }

        return items;
    }

    private object? EvaluateJson(JsonElement element, Loop loop)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var text = element.GetString()!;
                if (ArmExpression.IsExpression(text))
                {
                    return Evaluate(ArmExpression.Parse(text), loop);
                }

                return text.StartsWith("[[", StringComparison.Ordinal) ? text[1..] : text;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(e => EvaluateJson(e, loop)).ToList();
            case JsonValueKind.Object:
                var result = ArmValues.NewObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "copy" && property.Value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var copy in property.Value.EnumerateArray())
                        {
                            result[copy.GetProperty("name").GetString()!] = ExpandCopy(copy, loop);
                        }
                    }
                    else
                    {
                        result[property.Name] = EvaluateJson(property.Value, loop);
                    }
                }

                return result;
            default:
                return ArmValues.FromLiteral(element);
        }
    }

    private object? Evaluate(ArmExpression expression, Loop loop) => expression switch
    {
        ArmLiteral literal => literal.Value,
        ArmMember member => MemberOf(Evaluate(member.Target, loop), member.Name, member),
        ArmIndex index => IndexOf(Evaluate(index.Target, loop), Evaluate(index.Index, loop), index),
        ArmCall call => Call(call, loop),
        _ => throw new NotSupportedException(expression.ToString()),
    };

    private static object? MemberOf(object? target, string name, ArmExpression where) => target switch
    {
        ArmRuntimeValue runtime => runtime.Member(name),
        Dictionary<string, object?> o when o.TryGetValue(name, out var value) => value,
        _ => throw new KeyNotFoundException($"'{where}': no property '{name}' on {ArmValues.ToText(target)}"),
    };

    private static object? IndexOf(object? target, object? index, ArmExpression where) => (target, index) switch
    {
        (ArmRuntimeValue runtime, _) => new ArmRuntimeValue($"{runtime.Text}[{ArmValues.ToText(index)}]"),
        (List<object?> list, long i) when i >= 0 && i < list.Count => list[(int)i],
        (Dictionary<string, object?> o, string key) when o.TryGetValue(key, out var value) => value,
        _ => throw new KeyNotFoundException($"'{where}': no [{ArmValues.ToText(index)}] in {ArmValues.ToText(target)}"),
    };

    private object? Call(ArmCall call, Loop loop)
    {
        // The lazy ones first: ARM evaluates only the branch an if() or a short-circuit takes.
        switch (call.Name.ToLowerInvariant())
        {
            case "if":
                return Evaluate(call.Arguments[Evaluate(call.Arguments[0], loop) is true ? 1 : 2], loop);
            case "and":
                return call.Arguments.All(a => Evaluate(a, loop) is true);
            case "or":
                return call.Arguments.Any(a => Evaluate(a, loop) is true);
            case "coalesce":
                return call.Arguments.Select(a => Evaluate(a, loop)).FirstOrDefault(v => v is not null);
        }

        var args = call.Arguments.Select(a => Evaluate(a, loop)).ToList();
        string Arg(int i) => ArmValues.ToText(args[i]);
        return call.Name.ToLowerInvariant() switch
        {
            "parameters" => Parameters.TryGetValue(Arg(0), out var parameter) ? parameter : throw new KeyNotFoundException($"template '{Name}' has no parameter '{Arg(0)}'"),
            "variables" => Variable(Arg(0)),
            "copyindex" => CopyIndex(args, loop),
            "true" => true,
            "false" => false,
            "null" => null,
            "json" => Arg(0) == "null" ? null : ArmValues.FromLiteral(JsonDocument.Parse(Arg(0)).RootElement),
            "string" => ArmValues.ToText(args[0]),
            "int" => Convert.ToInt64(args[0], CultureInfo.InvariantCulture),
            "bool" => args[0] is bool b ? b : bool.Parse(Arg(0)),
            "not" => args[0] is not true,
            "empty" => ArmValues.IsEmpty(args[0]),
            "equals" => ArmValues.AreEqual(args[0], args[1]),
            "greater" => Compare(args) > 0,
            "greaterorequals" => Compare(args) >= 0,
            "less" => Compare(args) < 0,
            "lessorequals" => Compare(args) <= 0,
            "length" => (long)(args[0] switch
            {
                string s => s.Length,
                List<object?> l => l.Count,
                Dictionary<string, object?> o => o.Count,
                _ => throw new NotSupportedException($"length() of {Arg(0)}"),
            }),
            "contains" => args[0] switch
            {
                string s => s.Contains(Arg(1), StringComparison.OrdinalIgnoreCase),
                List<object?> l => l.Any(i => ArmValues.AreEqual(i, args[1])),
                Dictionary<string, object?> o => o.ContainsKey(Arg(1)),
                _ => false,
            },
            "format" => string.Format(CultureInfo.InvariantCulture, Arg(0), [.. args.Skip(1).Select(ArmValues.ToText)]),
            "concat" => args.All(a => a is List<object?>) ? args.Cast<List<object?>>().SelectMany(l => l).ToList() : string.Concat(args.Select(ArmValues.ToText)),
            "union" => ArmValues.Union(args),
            "createobject" => Enumerable.Range(0, args.Count / 2).Aggregate(ArmValues.NewObject(), (o, i) => { o[Arg(2 * i)] = args[(2 * i) + 1]; return o; }),
            "createarray" => args,
            "range" => Enumerable.Range((int)(long)args[0]!, (int)(long)args[1]!).Select(i => (object?)(long)i).ToList(),
            "tolower" => Arg(0).ToLowerInvariant(),
            "toupper" => Arg(0).ToUpperInvariant(),
            "trim" => Arg(0).Trim(),
            "replace" => Arg(0).Replace(Arg(1), Arg(2), StringComparison.Ordinal),
            "split" => Arg(0).Split(Arg(1)).Select(p => (object?)p).ToList(),
            "join" => string.Join(Arg(1), ((List<object?>)args[0]!).Select(ArmValues.ToText)),
            "startswith" => Arg(0).StartsWith(Arg(1), StringComparison.OrdinalIgnoreCase),
            "endswith" => Arg(0).EndsWith(Arg(1), StringComparison.OrdinalIgnoreCase),
            "first" => args[0] is List<object?> l ? l.FirstOrDefault() : Arg(0)[..1],
            "last" => args[0] is List<object?> l ? l.LastOrDefault() : Arg(0)[^1..],
            "flatten" => ((List<object?>)args[0]!).SelectMany(i => (List<object?>)i!).ToList(),
            "trygetvalue" or "tryget" => args[0] is Dictionary<string, object?> o && o.TryGetValue(Arg(1), out var found) ? found : null,
            "uniquestring" => UniqueString(args),
            "guid" => FakeGuid(args),
            "subscription" => Subscription(),
            "resourcegroup" => ResourceGroup(),
            "tenant" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["tenantId"] = TenantId },
            "environment" => Environment(),
            "deployment" => new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["name"] = Name },
            "resourceid" => ResourceId(args.Select(ArmValues.ToText).ToList()),
            "subscriptionresourceid" => $"/subscriptions/{SubscriptionId}{ProviderPath(args.Select(ArmValues.ToText).ToList())}",
            "tenantresourceid" => ProviderPath(args.Select(ArmValues.ToText).ToList()),
            "extensionresourceid" => Arg(0) + ProviderPath(args.Skip(1).Select(ArmValues.ToText).ToList()),
            "reference" => Reference(Arg(0)),
            // ARM stops the deployment with the message (Bicep's fail()).
            "fail" => throw new ArmDeploymentFailedException(Arg(0)),
            var name when name.StartsWith("list", StringComparison.Ordinal) => new ArmRuntimeValue($"{call.Name}({Arg(0)})"),
            _ => throw new NotSupportedException($"ARM function {call.Name}() is not evaluated by {nameof(ArmDeployment)} (used in '{call}'); add it there"),
        };
    }

    private static long CopyIndex(List<object?> args, Loop loop)
    {
        var name = args.Count > 0 && args[0] is string s ? s : null;
        var offset = args.LastOrDefault() is long o ? o : 0;
        var index = name is not null ? loop.Named[name] : loop.Resource ?? loop.Named.Values.Single();
        return index + offset;
    }

    private static int Compare(List<object?> args) => (args[0], args[1]) switch
    {
        (long a, long b) => a.CompareTo(b),
        (string a, string b) => string.Compare(a, b, StringComparison.OrdinalIgnoreCase),
        _ => throw new NotSupportedException($"cannot compare {ArmValues.ToText(args[0])} and {ArmValues.ToText(args[1])}"),
    };

    private object? Reference(string idOrName)
    {
        var resource = Resources.FirstOrDefault(r => string.Equals(r.Id, idOrName, StringComparison.OrdinalIgnoreCase))
            ?? Resources.FirstOrDefault(r => string.Equals(r.Name, idOrName, StringComparison.OrdinalIgnoreCase));
        if (resource?.Deployment is { } module)
        {
            // A module's reference() is its deployment's properties; ARM wraps each output as { value }.
            var outputs = ArmValues.NewObject();
            foreach (var (key, value) in module.Outputs)
            {
                outputs[key] = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["value"] = value };
            }

            return new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["outputs"] = outputs };
        }

        return new ArmRuntimeValue(resource is null ? $"ref({idOrName})" : $"ref({resource.Type}/{resource.Name})");
    }

    private static string ResourceId(List<string> args)
    {
        // resourceId([subscriptionId,] [resourceGroupName,] type, name1, name2, ...)
        var typeIndex = args.Select((a, i) => (a, i)).First(x => x.a.Contains('/', StringComparison.Ordinal)).i;
        var subscription = typeIndex == 2 ? args[0] : SubscriptionId;
        var group = typeIndex >= 1 ? args[typeIndex - 1] : ResourceGroupName;
        return $"/subscriptions/{subscription}/resourceGroups/{group}{ProviderPath([.. args.Skip(typeIndex)])}";
    }

    /// <summary><c>/providers/Ns.Provider/type1/name1/type2/name2</c> from a type and its names.</summary>
    private static string ProviderPath(List<string> typeAndNames)
    {
        var typeParts = typeAndNames[0].Split('/');
        var path = new StringBuilder("/providers/").Append(typeParts[0]);
        for (var i = 1; i < typeParts.Length; i++)
        {
            path.Append('/').Append(typeParts[i]).Append('/').Append(i < typeAndNames.Count ? typeAndNames[i] : "?");
        }

        return path.ToString();
    }

    private static Dictionary<string, object?> Subscription() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = $"/subscriptions/{SubscriptionId}",
        ["subscriptionId"] = SubscriptionId,
        ["tenantId"] = TenantId,
        ["displayName"] = "test subscription",
    };

    private static Dictionary<string, object?> ResourceGroup() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ResourceGroupId,
        ["name"] = ResourceGroupName,
        ["location"] = Location,
    };

    private static Dictionary<string, object?> Environment() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = "AzureCloud",
        ["resourceManager"] = "https://management.azure.com/",
        ["authentication"] = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["loginEndpoint"] = "https://login.microsoftonline.com/" },
        ["suffixes"] = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["storage"] = "core.windows.net",
            ["keyvaultDns"] = ".vault.azure.net",
        },
    };

    /// <summary>Deterministic stand-ins: same input, same output, like ARM's (not ARM's exact values).</summary>
    private static string UniqueString(List<object?> args)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', args.Select(ArmValues.ToText))));
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        return string.Concat(hash.Take(13).Select(b => alphabet[b % 32]));
    }

    private static string FakeGuid(List<object?> args) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', args.Select(ArmValues.ToText))))[..16]).ToString("D");

    /// <summary>The copy-loop indexes in force: the resource's own loop and named property/variable loops.</summary>
    private sealed record Loop(int? Resource, ImmutableDictionary<string, int> Named)
    {
        public static readonly Loop None = new(null, ImmutableDictionary<string, int>.Empty);
    }
}
