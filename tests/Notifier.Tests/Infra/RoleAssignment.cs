namespace Notifier.Tests.Infra;

/// <summary>
/// A role assignment a deployment creates: the resource id it is scoped to, the principal, the role id and,
/// for the built-in roles infra/ may use, the role's name.
/// </summary>
internal sealed record RoleAssignment(ArmResource Resource, string Scope, string PrincipalId, string RoleId, string? RoleName, string? PrincipalType)
{
    public const string ResourceType = "Microsoft.Authorization/roleAssignments";

    public static RoleAssignment From(ArmResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var definition = resource.GetText("properties.roleDefinitionId") ?? throw new InvalidOperationException($"{resource} names no role");
        var roleId = definition[(definition.LastIndexOf('/') + 1)..];
        return new RoleAssignment(
            resource,
            resource.Scope ?? throw new InvalidOperationException($"{resource} has no scope: infra grants roles on resources, never on the whole group"),
            resource.GetText("properties.principalId") ?? throw new InvalidOperationException($"{resource} names no principal"),
            roleId,
            BuiltInRoles.ById.GetValueOrDefault(roleId),
            resource.GetText("properties.principalType"));
    }

    /// <summary>The last segment of <see cref="Scope"/>: the queue, vault or account name.</summary>
    public string ScopeName => Scope[(Scope.LastIndexOf('/') + 1)..];
}
