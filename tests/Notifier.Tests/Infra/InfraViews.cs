namespace Notifier.Tests.Infra;

/// <summary>Typed views of what an evaluated infra deployment creates, for the infra tests of every feature.</summary>
internal static class InfraViews
{
    public const string QueueType = "Microsoft.ServiceBus/namespaces/queues";
    public const string SiteType = "Microsoft.Web/sites";
    public const string SiteConfigType = "Microsoft.Web/sites/config";
    public const string ActionGroupType = "Microsoft.Insights/actionGroups";
    public const string LogAlertType = "Microsoft.Insights/scheduledQueryRules";
    public const string MetricAlertType = "Microsoft.Insights/metricAlerts";

    /// <summary>Every resource of <paramref name="type"/>, in this deployment and its modules.</summary>
    public static IReadOnlyList<ArmResource> OfType(this ArmDeployment deployment, string type)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return [.. deployment.AllResources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>The one resource of <paramref name="type"/> (fails when there are none or several).</summary>
    public static ArmResource Single(this ArmDeployment deployment, string type) =>
        deployment.OfType(type) switch
        {
            [var one] => one,
            var found => throw new InvalidOperationException($"expected one {type}, found {found.Count}"),
        };

    /// <summary>
    /// The function app's settings (the <c>appsettings</c> config resource), values as text: literal values as
    /// given, runtime values as <see cref="ArmResource.Runtime"/> placeholders.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AppSettings(this ArmDeployment deployment)
    {
        var config = deployment.OfType(SiteConfigType).Single(r => r.ShortName == "appsettings");
        var properties = (Dictionary<string, object?>)config.Get("properties")!;
        return properties.ToDictionary(p => p.Key, p => ArmValues.ToText(p.Value), StringComparer.Ordinal);
    }

    /// <summary>Queue name → queue resource, for every Service Bus queue.</summary>
    public static IReadOnlyDictionary<string, ArmResource> Queues(this ArmDeployment deployment) =>
        deployment.OfType(QueueType).ToDictionary(q => q.ShortName, StringComparer.Ordinal);

    /// <summary>Every alert rule: log (scheduled query) and metric alerts.</summary>
    public static IReadOnlyList<ArmResource> Alerts(this ArmDeployment deployment) =>
        [.. deployment.OfType(LogAlertType), .. deployment.OfType(MetricAlertType)];

    /// <summary>The one metric alert on <paramref name="metricName"/> (e.g. <c>ActiveMessages</c>).</summary>
    public static ArmResource MetricAlertOn(this ArmDeployment deployment, string metricName) =>
        Assert.Single(deployment.OfType(MetricAlertType), a => a.Criteria().Any(c => Equals(c["metricName"], metricName)));

    /// <summary>The one log alert whose query reads <paramref name="table"/> and mentions <paramref name="text"/>.</summary>
    public static ArmResource LogAlertOn(this ArmDeployment deployment, string table, string text) =>
        Assert.Single(deployment.OfType(LogAlertType), a => a.Criteria().Any(c =>
            c["query"] is string query && query.TrimStart().StartsWith(table, StringComparison.Ordinal) && query.Contains(text, StringComparison.Ordinal)));

    /// <summary>The conditions of an alert rule (<c>properties.criteria.allOf</c>).</summary>
    public static IReadOnlyList<Dictionary<string, object?>> Criteria(this ArmResource alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return [.. ((List<object?>?)alert.Get("properties.criteria.allOf") ?? []).Cast<Dictionary<string, object?>>()];
    }

    /// <summary>The action group ids an alert rule notifies (log alerts: <c>actions.actionGroups</c>; metric alerts: <c>actions[].actionGroupId</c>).</summary>
    public static IReadOnlyList<string> ActionGroupIds(this ArmResource alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Get("properties.actions") switch
        {
            Dictionary<string, object?> log => [.. ((List<object?>?)log.GetValueOrDefault("actionGroups") ?? []).Select(ArmValues.ToText)],
            List<object?> metric => [.. metric.Cast<Dictionary<string, object?>>().Select(a => ArmValues.ToText(a["actionGroupId"]))],
            _ => [],
        };
    }

    public static IReadOnlyList<RoleAssignment> RoleAssignments(this ArmDeployment deployment) =>
        [.. deployment.OfType(RoleAssignment.ResourceType).Select(RoleAssignment.From)];

    /// <summary>The role assignments on the resource <paramref name="resource"/>.</summary>
    public static IEnumerable<RoleAssignment> On(this IEnumerable<RoleAssignment> assignments, ArmResource resource) =>
        assignments.Where(a => string.Equals(a.Scope, resource.Id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The principal id the app's user-assigned identity gets at deploy time (a runtime placeholder).</summary>
    public static string AppPrincipalId(this ArmDeployment deployment) =>
        deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Runtime("principalId");

    public static string AppClientId(this ArmDeployment deployment) =>
        deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Runtime("clientId");
}
