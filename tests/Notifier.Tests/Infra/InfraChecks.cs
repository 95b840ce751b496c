using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notifier.Tests.Infra;

/// <summary>
/// The infra rules the Bicep compiler and linter do not enforce, each returning the problems it finds (empty:
/// fine), so the tests can run them on infra/ and, to show that each rule can fail, on small broken templates.
/// They read the compiled ARM JSON (and, for comments, the .bicep source).
/// </summary>
internal static partial class InfraChecks
{
    /// <summary>Resource API versions that are not a plain date (preview, beta, ...).</summary>
    public static IReadOnlyList<string> PreviewApiVersions(IEnumerable<CompiledBicepFile> files) =>
        [.. DeclaredResources(files)
            .Where(x => !StableApiVersion().IsMatch(x.ApiVersion))
            .Select(x => $"{x.File.RelativePath}: {x.Type}@{x.ApiVersion} is not a stable API version")];

    /// <summary>Resource types declared with different API versions in different places.</summary>
    public static IReadOnlyList<string> InconsistentApiVersions(IEnumerable<CompiledBicepFile> files) =>
        [.. DeclaredResources(files)
            .GroupBy(x => x.Type, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Select(x => x.ApiVersion).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => $"{g.Key} is declared with API versions {string.Join(", ", g.Select(x => x.ApiVersion).Distinct(StringComparer.Ordinal))}")];

    /// <summary>
    /// Role assignments that are not named <c>guid(scope id, principal, role)</c>, take their role id from
    /// anything but a variable, use a role id that is not a known built-in role, or whose role variable has
    /// no comment in the .bicep source naming the role and its id.
    /// </summary>
    public static IReadOnlyList<string> RoleAssignmentProblems(CompiledBicepFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var problems = new List<string>();
        foreach (var resource in file.Resources.Where(r => r.GetProperty("type").GetString() == RoleAssignment.ResourceType))
        {
            var name = ArmExpression.Parse(resource.GetProperty("name").GetString()!);
            var where = $"{file.RelativePath}: role assignment {name}";
            var properties = resource.GetProperty("properties");
            if (ArmExpression.Parse(properties.GetProperty("roleDefinitionId").GetString()!) is not ArmCall
                {
                    Name: "subscriptionResourceId",
                    Arguments: [ArmLiteral { Value: "Microsoft.Authorization/roleDefinitions" }, ArmCall { Name: "variables", Arguments: [ArmLiteral { Value: string roleVariable }] } role],
                })
            {
                problems.Add($"{where}: roleDefinitionId must be subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <role variable>)");
                continue;
            }

            var roleId = file.Variables.TryGetValue(roleVariable, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
            if (!BuiltInRoles.ById.TryGetValue(roleId, out var roleName))
            {
                problems.Add($"{where}: role id '{roleId}' of '{roleVariable}' is not a known built-in role");
                continue;
            }

            if (!file.Source.Split('\n').Any(line => line.TrimStart().StartsWith("//", StringComparison.Ordinal)
                    && line.Contains(roleName, StringComparison.Ordinal) && line.Contains(roleId, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{where}: a comment in the source must name '{roleName}' and '{roleId}' (above '{roleVariable}')");
            }

            // The name must change exactly when scope, principal or role changes: redeploying with another
            // principal then creates a new assignment instead of failing on a name clash.
            var scope = resource.TryGetProperty("scope", out var s) ? ArmExpression.Parse(s.GetString()!).ToString() : "resourceGroup().id";
            var expected = new[] { scope, ArmExpression.Parse(properties.GetProperty("principalId").GetString()!).ToString(), role.ToString() };
            if (name is not ArmCall { Name: "guid" } guid || !guid.Arguments.Select(a => a.ToString()).SequenceEqual(expected, StringComparer.Ordinal))
            {
                problems.Add($"{where}: name must be guid({string.Join(", ", expected)})");
            }
        }

        return problems;
    }

    /// <summary>
    /// Parameters-file entries the template does not declare, required template parameters the file leaves
    /// out, and values whose JSON kind does not fit the parameter type.
    /// </summary>
    public static IReadOnlyList<string> ParametersFileProblems(CompiledBicepFile template, string parametersJson)
    {
        ArgumentNullException.ThrowIfNull(template);
        var problems = new List<string>();
        using var document = JsonDocument.Parse(parametersJson);
        var entries = document.RootElement.GetProperty("parameters").EnumerateObject().ToList();
        foreach (var entry in entries)
        {
            if (!template.Parameters.ContainsKey(entry.Name))
            {
                problems.Add($"parameters file sets '{entry.Name}', which {template.RelativePath} does not declare");
                continue;
            }

            var type = template.TypeOf(entry.Name).ToLowerInvariant();
            var kind = entry.Value.GetProperty("value").ValueKind;
            var fits = type switch
            {
                "string" or "securestring" => kind == JsonValueKind.String,
                "int" => kind == JsonValueKind.Number,
                "bool" => kind is JsonValueKind.True or JsonValueKind.False,
                "object" or "secureobject" => kind == JsonValueKind.Object,
                "array" => kind == JsonValueKind.Array,
                _ => true,
            };
            if (!fits)
            {
                problems.Add($"parameters file gives '{entry.Name}' a {kind} value, but it is a {type}");
            }
        }

        problems.AddRange(template.Parameters.Keys
            .Where(p => template.IsRequired(p) && !entries.Any(e => string.Equals(e.Name, p, StringComparison.OrdinalIgnoreCase)))
            .Select(p => $"parameters file does not set required parameter '{p}'"));
        return problems;
    }

    /// <summary>
    /// Role assignments that let <paramref name="principalId"/> send to one of <paramref name="eventQueues"/>:
    /// the app must never be able to enqueue an event (it could then make itself send mail).
    /// </summary>
    public static IReadOnlyList<string> SendRightsOnEventQueues(ArmDeployment deployment, string principalId, IReadOnlyCollection<string> eventQueues)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(eventQueues);
        var queues = deployment.Queues().Where(q => eventQueues.Contains(q.Key)).ToDictionary(q => q.Value.Id, q => q.Key, StringComparer.OrdinalIgnoreCase);
        return [.. deployment.RoleAssignments()
            .Where(a => a.PrincipalId == principalId && a.RoleName == BuiltInRoles.ServiceBusDataSender && queues.ContainsKey(a.Scope))
            .Select(a => $"{a.Resource} lets {principalId} send to event queue '{queues[a.Scope]}'")];
    }

    private static IEnumerable<(CompiledBicepFile File, string Type, string ApiVersion)> DeclaredResources(IEnumerable<CompiledBicepFile> files) =>
        files.SelectMany(f => f.Resources
            .Select(r => (File: f, Type: r.GetProperty("type").GetString()!, ApiVersion: r.GetProperty("apiVersion").GetString()!))
            // The compiler writes modules as deployments resources with an API version of its own choosing.
            .Where(x => x.Type != ArmDeployment.DeploymentType));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex StableApiVersion();
}
