namespace Notifier.Tests.Infra;

/// <summary>
/// Least privilege on the data plane: the app receives from the queues its triggers read and sends only
/// where its output binding writes; each producer sends only to its own queue; only the app reads secrets.
/// </summary>
[Trait("Category", "Integration")]
public sealed class InfraRoleTests
{
    private static readonly ArmDeployment Deployment = CompiledInfra.Deployment;

    private static string App => Deployment.AppPrincipalId();

    [Fact]
    public void TheAppReceivesFromExactlyTheQueuesItsTriggersRead()
    {
        Assert.Equal(TriggerQueues().Order(StringComparer.Ordinal), QueuesWhere(Deployment, App, BuiltInRoles.ServiceBusDataReceiver).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheAppSendsOnlyWhereItsOutputBindingWrites()
    {
        var outputQueues = AppContract.Functions.SelectMany(f => f.ServiceBusBindings)
            .Where(b => b.Direction == "out").Select(b => b.QueueName!).Distinct();

        Assert.Equal(outputQueues.Order(StringComparer.Ordinal), QueuesWhere(Deployment, App, BuiltInRoles.ServiceBusDataSender).Order(StringComparer.Ordinal));
        Assert.Empty(InfraChecks.SendRightsOnEventQueues(Deployment, App, [.. TriggerQueues().Except(outputQueues)]));
    }

    [Fact]
    public void TheBitbucketWebhookMaySendPullRequestAndRepositoryEventsButTheAppNeverSendsAccountEvents()
    {
        var sends = QueuesWhere(Deployment, App, BuiltInRoles.ServiceBusDataSender).ToList();

        Assert.Equal(["pullrequest-events", "rejected-events", "repository-events"], sends.Order(StringComparer.Ordinal));
        Assert.Empty(InfraChecks.SendRightsOnEventQueues(Deployment, App, ["account-events"]));
        Assert.Single(InfraChecks.SendRightsOnEventQueues(Deployment, App, ["pullrequest-events"]));
    }

    [Fact]
    public void ASendRightOnAnEventQueueForTheAppIsReported()
    {
        using var scratch = new ScratchBicep(("main.bicep", """
            param appPrincipalId string = 'app-principal'

            // Azure Service Bus Data Sender (69a216fc-b8fb-44d8-bc22-1f3c2cd27a39)
            var sender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

            resource ns 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
              name: 'sb-scratch'
              location: resourceGroup().location
            }

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
            """));
        var deployment = ArmDeployment.Evaluate(scratch.BuildSingle().Template, new Dictionary<string, object?>());

        Assert.Single(InfraChecks.SendRightsOnEventQueues(deployment, "app-principal", ["pullrequest-events"]));
        Assert.Empty(InfraChecks.SendRightsOnEventQueues(deployment, "app-principal", ["repository-events"]));
    }

    [Fact]
    public void NoRoleIsGrantedOnTheWholeNamespace()
    {
        var deployment = CompiledInfra.Deploy(
            ("pullRequestProducerPrincipalIds", Principals("p1")), ("accountProducerPrincipalIds", Principals("i1")), ("adminGroupPrincipalId", "admins"));
        var ns = deployment.Single("Microsoft.ServiceBus/namespaces");
        var queueIds = deployment.Queues().Values.Select(q => q.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var serviceBusRoles = deployment.RoleAssignments().Where(a => a.Scope.StartsWith(ns.Id, StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.NotEmpty(serviceBusRoles);
        Assert.All(serviceBusRoles, a => Assert.Contains(a.Scope, queueIds));
    }

    [Theory]
    [InlineData("pullRequestProducerPrincipalIds", "pullrequest-events")]
    [InlineData("repositoryProducerPrincipalIds", "repository-events")]
    [InlineData("accountProducerPrincipalIds", "account-events")]
    public void EachListedProducerMaySendToItsOwnQueueOnly(string producers, string queue)
    {
        string[] principals = ["producer-a", "producer-b", "producer-c"];
        var deployment = CompiledInfra.Deploy((producers, principals));

        var grants = deployment.RoleAssignments().Where(a => principals.Contains(a.PrincipalId)).ToList();
        Assert.Equal(principals, grants.Select(a => a.PrincipalId).Order(StringComparer.Ordinal));
        Assert.All(grants, grant =>
        {
            Assert.Equal(BuiltInRoles.ServiceBusDataSender, grant.RoleName);
            Assert.Equal(deployment.Queues()[queue].Id, grant.Scope);
        });
        Assert.Equal(3, grants.Select(a => a.Resource.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EmptyProducerListsGrantNothing()
    {
        var deployment = CompiledInfra.Deploy(
            ("pullRequestProducerPrincipalIds", Array.Empty<string>()), ("repositoryProducerPrincipalIds", Array.Empty<string>()), ("accountProducerPrincipalIds", Array.Empty<string>()));

        // Every role then belongs to the app; the defaults are the same empty lists.
        Assert.All(deployment.RoleAssignments(), a => Assert.Equal(deployment.AppPrincipalId(), a.PrincipalId));
        Assert.All(CompiledInfra.Defaults.RoleAssignments(), a => Assert.Equal(CompiledInfra.Defaults.AppPrincipalId(), a.PrincipalId));
    }

    [Fact]
    public void OnlyTheIdentityServiceMaySendAccountEvents()
    {
        var deployment = CompiledInfra.Deploy(
            ("pullRequestProducerPrincipalIds", Principals("pr-producer")), ("repositoryProducerPrincipalIds", Principals("repo-producer")),
            ("accountProducerPrincipalIds", Principals("identity-service", "identity-service-staging")), ("adminGroupPrincipalId", "admins"));
        var accountEvents = deployment.Queues()["account-events"];

        var senders = deployment.RoleAssignments().On(accountEvents)
            .Where(a => a.RoleName == BuiltInRoles.ServiceBusDataSender).Select(a => a.PrincipalId);

        Assert.Equal(["identity-service", "identity-service-staging"], senders.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheAdminGroupMayReadRejectedEventsAndEveryDeadLetterQueueAndNothingElse()
    {
        var deployment = CompiledInfra.Deploy(("adminGroupPrincipalId", "admins"));

        var grants = deployment.RoleAssignments().Where(a => a.PrincipalId == "admins").ToList();

        // A dead-letter queue is read through its queue's scope: every queue, rejected-events among them.
        Assert.Equal(deployment.Queues().Values.Select(q => q.Id).Order(StringComparer.Ordinal), grants.Select(a => a.Scope).Order(StringComparer.Ordinal));
        Assert.Contains(deployment.Queues()["rejected-events"].Id, grants.Select(a => a.Scope));
        Assert.All(grants, grant =>
        {
            Assert.Equal(BuiltInRoles.ServiceBusDataReceiver, grant.RoleName);
            Assert.Equal("4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", grant.RoleId);
            Assert.Equal("Group", grant.PrincipalType);
        });
        Assert.DoesNotContain(CompiledInfra.Deployment.RoleAssignments(), a => a.PrincipalId.Length == 0);
    }

    [Fact]
    public void TheAppReadsSecretsAndOnlyTheOptionalDeployerMayWriteThem()
    {
        var vault = CompiledInfra.Deployment.Single("Microsoft.KeyVault/vaults");
        var app = Assert.Single(CompiledInfra.Deployment.RoleAssignments().On(vault));
        Assert.Equal((App, BuiltInRoles.KeyVaultSecretsUser), (app.PrincipalId, app.RoleName));

        var deployment = CompiledInfra.Deploy(("deployerPrincipalId", "deployer"));
        var assignments = deployment.RoleAssignments().On(deployment.Single("Microsoft.KeyVault/vaults")).ToList();
        Assert.Equal(2, assignments.Count);
        var deployer = Assert.Single(assignments, a => a.PrincipalId == "deployer");
        Assert.Equal(BuiltInRoles.KeyVaultSecretsOfficer, deployer.RoleName);
    }

    [Fact]
    public void TheAppOwnsTheBlobsOfItsHostStorageAndMayWriteItsTables()
    {
        var account = Deployment.Single("Microsoft.Storage/storageAccounts");
        var assignments = Deployment.RoleAssignments().On(account).Select(a => (a.PrincipalId, a.RoleName)).Order().ToList();

        Assert.Equal([(App, BuiltInRoles.StorageBlobDataOwner), (App, BuiltInRoles.StorageTableDataContributor)], assignments);
    }

    /// <summary>A list parameter's value (a params array, so each test passes its own).</summary>
    private static string[] Principals(params string[] objectIds) => objectIds;

    private static string[] TriggerQueues() =>
        [.. AppContract.Functions.SelectMany(f => f.ServiceBusBindings).Where(b => b.Direction == "in").Select(b => b.QueueName!)];

    private static IEnumerable<string> QueuesWhere(ArmDeployment deployment, string principal, string role)
    {
        var queues = deployment.Queues().Values.ToDictionary(q => q.Id, q => q.ShortName, StringComparer.OrdinalIgnoreCase);
        return deployment.RoleAssignments().Where(a => a.PrincipalId == principal && a.RoleName == role && queues.ContainsKey(a.Scope)).Select(a => queues[a.Scope]);
    }
}
