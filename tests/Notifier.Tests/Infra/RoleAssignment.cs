namespace Notifier.Tests.Infra;

/// <summary>
/// A <c>Microsoft.Authorization/roleAssignments</c> resource as written in infra/: the scope's symbolic
/// name, the principal expression, the variable that holds the role id and, resolved, the role.
/// </summary>
internal sealed record RoleAssignment(
    BicepResource Resource,
    string? Scope,
    string? Principal,
    string? RoleVariable,
    string? RoleId,
    string? RoleName,
    string RoleComment,
    IReadOnlyList<string>? NameArguments)
{
    public const string ResourceType = "Microsoft.Authorization/roleAssignments";

    public static IReadOnlyList<RoleAssignment> ReadAll(BicepFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return [.. file.Resources.Where(r => r.Type == ResourceType).Select(r => Read(file, r))];
    }

    private static RoleAssignment Read(BicepFile file, BicepResource resource)
    {
        var properties = resource.Body.Property("properties");
        var definition = properties?.Property("roleDefinitionId")
            ?.CallArguments("subscriptionResourceId");
        var roleVariable = definition is [var type, var id] && type == "'Microsoft.Authorization/roleDefinitions'" ? id : null;
        var variable = roleVariable is null ? null : file.Variable(roleVariable);
        var roleId = variable?.Value.StringLiteral;
        return new RoleAssignment(
            resource,
            resource.Body.Property("scope")?.Expression,
            properties?.Property("principalId")?.Expression,
            roleVariable,
            roleId,
            roleId is not null && BuiltInRoles.ById.TryGetValue(roleId, out var name) ? name : null,
            variable?.LeadingComment ?? string.Empty,
            resource.Body.Property("name")?.CallArguments("guid"));
    }
}
