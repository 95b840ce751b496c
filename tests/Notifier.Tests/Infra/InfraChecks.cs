using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notifier.Tests.Infra;

/// <summary>
/// The template rules the infra tests enforce, each returning the problems it finds (empty: fine), so the
/// tests can run them on infra/ and, to show that each rule can fail, on small broken templates.
/// </summary>
internal static partial class InfraChecks
{
    /// <summary>Parameters declared but never used as a value in the same file.</summary>
    public static IReadOnlyList<string> UnusedParameters(BicepFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return [.. file.Parameters
            .Where(p => file.UsesOf(p.Name) == 0)
            .Select(p => $"{file.Path}:{p.Line}: param '{p.Name}' is never used")];
    }

    /// <summary>Variables declared but never used as a value in the same file.</summary>
    public static IReadOnlyList<string> UnusedVariables(BicepFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return [.. file.Variables
            .Where(v => file.UsesOf(v.Name) == 0)
            .Select(v => $"{file.Path}:{v.Line}: var '{v.Name}' is never used")];
    }

    /// <summary>
    /// Module calls that pass a parameter the module does not declare, or leave out one it requires.
    /// </summary>
    public static IReadOnlyList<string> ModuleParameterProblems(BicepFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var problems = new List<string>();
        foreach (var module in file.Modules)
        {
            var modulePath = Path.Combine(Path.GetDirectoryName(file.Path)!, module.Path);
            if (!File.Exists(modulePath))
            {
                problems.Add($"{file.Path}:{module.Line}: module '{module.Symbol}' refers to missing file {module.Path}");
                continue;
            }

            var target = BicepFile.Load(modulePath);
            var passed = module.PassedParameters.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(passed
                .Where(name => target.Parameter(name) is null)
                .Select(name => $"{file.Path}:{module.Line}: module '{module.Symbol}' passes '{name}', which {module.Path} does not declare"));
            problems.AddRange(target.Parameters
                .Where(p => p.IsRequired && !passed.Contains(p.Name))
                .Select(p => $"{file.Path}:{module.Line}: module '{module.Symbol}' does not pass required '{p.Name}' of {module.Path}"));
        }

        return problems;
    }

    /// <summary>Resource API versions that are not a plain date (preview, beta, ...).</summary>
    public static IReadOnlyList<string> PreviewApiVersions(IEnumerable<BicepFile> files) =>
        [.. files.SelectMany(f => f.Resources
            .Where(r => !StableApiVersion().IsMatch(r.ApiVersion))
            .Select(r => $"{f.Path}:{r.Line}: {r.Type}@{r.ApiVersion} is not a stable API version"))];

    /// <summary>Resource types declared with different API versions in different places.</summary>
    public static IReadOnlyList<string> InconsistentApiVersions(IEnumerable<BicepFile> files) =>
        [.. files.SelectMany(f => f.Resources)
            .GroupBy(r => r.Type, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Select(r => r.ApiVersion).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => $"{g.Key} is declared with API versions {string.Join(", ", g.Select(r => r.ApiVersion).Distinct(StringComparer.Ordinal))}")];

    /// <summary>
    /// Role assignments that are not named <c>guid(scope.id, principal, role)</c>, use a role id that is not
    /// a known built-in role, or whose role variable lacks a comment naming the role and its id.
    /// </summary>
    public static IReadOnlyList<string> RoleAssignmentProblems(BicepFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var problems = new List<string>();
        foreach (var assignment in RoleAssignment.ReadAll(file))
        {
            var where = $"{file.Path}:{assignment.Resource.Line}: role assignment '{assignment.Resource.Symbol}'";
            if (assignment.RoleVariable is null)
            {
                problems.Add($"{where}: roleDefinitionId must be subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <role variable>)");
                continue;
            }

            if (assignment.RoleName is null)
            {
                problems.Add($"{where}: role id '{assignment.RoleId}' of '{assignment.RoleVariable}' is not a known built-in role");
                continue;
            }

            if (!assignment.RoleComment.Contains(assignment.RoleName, StringComparison.Ordinal)
                || !assignment.RoleComment.Contains(assignment.RoleId!, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{where}: the comment above '{assignment.RoleVariable}' must name '{assignment.RoleName}' and '{assignment.RoleId}'");
            }

            var expected = new[] { $"{assignment.Scope}.id", assignment.Principal, assignment.RoleVariable };
            if (assignment.NameArguments is null || !assignment.NameArguments.SequenceEqual(expected, StringComparer.Ordinal))
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
    public static IReadOnlyList<string> ParametersFileProblems(BicepFile template, string parametersJson)
    {
        ArgumentNullException.ThrowIfNull(template);
        var problems = new List<string>();
        using var document = JsonDocument.Parse(parametersJson);
        var entries = document.RootElement.GetProperty("parameters").EnumerateObject().ToList();
        foreach (var entry in entries)
        {
            var parameter = template.Parameter(entry.Name);
            if (parameter is null)
            {
                problems.Add($"parameters file sets '{entry.Name}', which {template.Path} does not declare");
                continue;
            }

            var kind = entry.Value.GetProperty("value").ValueKind;
            var fits = parameter.Type switch
            {
                "string" => kind == JsonValueKind.String,
                "int" => kind == JsonValueKind.Number,
                "bool" => kind is JsonValueKind.True or JsonValueKind.False,
                "object" => kind == JsonValueKind.Object,
                "array" => kind == JsonValueKind.Array,
                _ => true,
            };
            if (!fits)
            {
                problems.Add($"parameters file gives '{entry.Name}' a {kind} value, but it is a {parameter.Type}");
            }
        }

        problems.AddRange(template.Parameters
            .Where(p => p.IsRequired && !entries.Any(e => e.Name == p.Name))
            .Select(p => $"parameters file does not set required parameter '{p.Name}'"));
        return problems;
    }

    /// <summary>
    /// Role assignments that let <paramref name="principal"/> send to one of <paramref name="eventQueues"/>:
    /// the app must never be able to enqueue an event (it could then make itself send mail).
    /// </summary>
    public static IReadOnlyList<string> SendRightsOnEventQueues(BicepFile file, string principal, IReadOnlyCollection<string> eventQueues)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(eventQueues);
        return [.. RoleAssignment.ReadAll(file)
            .Where(a => a.Principal == principal && a.RoleName == BuiltInRoles.ServiceBusDataSender)
            .Where(a => a.Scope is not null && file.Resource(a.Scope)?.LiteralName is { } queue && eventQueues.Contains(queue))
            .Select(a => $"{file.Path}:{a.Resource.Line}: '{a.Resource.Symbol}' lets {principal} send to event queue '{file.Resource(a.Scope!)!.LiteralName}'")];
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex StableApiVersion();
}
