namespace Notifier.Tests.Infra;

/// <summary>
/// Least privilege on the data plane: the app receives from the queues its triggers read and sends only
/// where its output binding writes; each producer sends only to its own queue; only the app reads secrets.
/// </summary>
public sealed class InfraRoleTests
{
    private const string App = "appPrincipalId";

    private static IReadOnlyList<RoleAssignment> ServiceBusAssignments => RoleAssignment.ReadAll(InfraTemplate.ServiceBus);

    [Fact]
    public void TheAppReceivesFromExactlyTheQueuesItsTriggersRead()
    {
        var triggerQueues = AppContract.Functions.SelectMany(f => f.ServiceBusBindings)
            .Where(b => b.Direction == "in").Select(b => b.QueueName!);

        Assert.Equal(triggerQueues.Order(StringComparer.Ordinal), QueuesWhere(App, BuiltInRoles.ServiceBusDataReceiver).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheAppSendsOnlyWhereItsOutputBindingWrites()
    {
        var outputQueues = AppContract.Functions.SelectMany(f => f.ServiceBusBindings)
            .Where(b => b.Direction == "out").Select(b => b.QueueName!).Distinct();

        Assert.Equal(outputQueues.Order(StringComparer.Ordinal), QueuesWhere(App, BuiltInRoles.ServiceBusDataSender).Order(StringComparer.Ordinal));
        Assert.Empty(InfraChecks.SendRightsOnEventQueues(InfraTemplate.ServiceBus, App, [.. TriggerQueues().Except(outputQueues)]));
    }

    [Fact]
    public void TheBitbucketWebhookMaySendPullRequestAndRepositoryEventsButTheAppNeverSendsAccountEvents()
    {
        var sends = QueuesWhere(App, BuiltInRoles.ServiceBusDataSender).ToList();

        Assert.Contains("pullrequest-events", sends);
        Assert.Contains("repository-events", sends);
        Assert.DoesNotContain("account-events", sends);
        Assert.Single(InfraChecks.SendRightsOnEventQueues(InfraTemplate.ServiceBus, App, ["pullrequest-events"]));
    }

    [Fact]
    public void ASendRightOnAnEventQueueForTheAppIsReported()
    {
        var template = BicepFile.Parse("""
            // Azure Service Bus Data Sender (69a216fc-b8fb-44d8-bc22-1f3c2cd27a39)
            var sender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
            resource q 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
              parent: ns
              name: 'pullrequest-events'
            }
            resource appSends 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
              name: guid(q.id, appPrincipalId, sender)
              scope: q
              properties: {
                roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sender)
                principalId: appPrincipalId
              }
            }
            """);

        Assert.Single(InfraChecks.SendRightsOnEventQueues(template, App, ["pullrequest-events"]));
    }

    [Fact]
    public void NoRoleIsGrantedOnTheWholeNamespace()
    {
        var namespaceSymbol = InfraTemplate.ServiceBus.Resources.Single(r => r.Type == "Microsoft.ServiceBus/namespaces").Symbol;

        Assert.DoesNotContain(ServiceBusAssignments, a => a.Scope == namespaceSymbol);
        Assert.All(ServiceBusAssignments, a => Assert.Contains(a.Scope!, InfraTemplate.Queues.Keys));
    }

    [Theory]
    [InlineData("pullRequestProducerPrincipalId", "pullrequest-events")]
    [InlineData("repositoryProducerPrincipalId", "repository-events")]
    [InlineData("identityServicePrincipalId", "account-events")]
    public void EachOptionalProducerMaySendToItsOwnQueueOnly(string producer, string queue)
    {
        var grants = ServiceBusAssignments.Where(a => a.Principal == producer).ToList();

        var grant = Assert.Single(grants);
        Assert.Equal(BuiltInRoles.ServiceBusDataSender, grant.RoleName);
        Assert.Equal(queue, InfraTemplate.Queues[grant.Scope!]);
        Assert.Equal($"!empty({producer})", grant.Resource.Condition);
        Assert.NotNull(InfraTemplate.Main.Parameter(producer));
    }

    [Fact]
    public void OnlyTheIdentityServiceMaySendAccountEvents()
    {
        var senders = ServiceBusAssignments
            .Where(a => a.RoleName == BuiltInRoles.ServiceBusDataSender && InfraTemplate.Queues[a.Scope!] == "account-events")
            .Select(a => a.Principal);

        Assert.Equal(["identityServicePrincipalId"], senders);
    }

    [Fact]
    public void TheAppReadsSecretsAndOnlyTheOptionalDeployerMayWriteThem()
    {
        var assignments = RoleAssignment.ReadAll(InfraTemplate.KeyVault);

        var app = Assert.Single(assignments, a => a.Principal == App);
        Assert.Equal(BuiltInRoles.KeyVaultSecretsUser, app.RoleName);
        var deployer = Assert.Single(assignments, a => a.Principal == "deployerPrincipalId");
        Assert.Equal(BuiltInRoles.KeyVaultSecretsOfficer, deployer.RoleName);
        Assert.Equal("!empty(deployerPrincipalId)", deployer.Resource.Condition);
        Assert.Equal(2, assignments.Count);
    }

    [Fact]
    public void TheAppOwnsOnlyTheBlobsOfItsHostStorage()
    {
        var assignment = Assert.Single(RoleAssignment.ReadAll(InfraTemplate.Storage));

        Assert.Equal((App, BuiltInRoles.StorageBlobDataOwner), (assignment.Principal, assignment.RoleName));
    }

    private static string[] TriggerQueues() =>
        [.. AppContract.Functions.SelectMany(f => f.ServiceBusBindings).Where(b => b.Direction == "in").Select(b => b.QueueName!)];

    private static IEnumerable<string> QueuesWhere(string principal, string role) =>
        ServiceBusAssignments.Where(a => a.Principal == principal && a.RoleName == role).Select(a => InfraTemplate.Queues[a.Scope!]);
}
