namespace Notifier.Tests.Infra;

/// <summary>
/// infra/ through the real Bicep compiler and linter (every linter rule an error, infra/bicepconfig.json),
/// plus the rules the compiler does not know, each also run on a small broken template to show it can fail.
/// </summary>
public sealed class InfraTemplateTests
{
    [Fact]
    public void EveryBicepFileCompilesWithoutAWarning()
    {
        Assert.True(CompiledInfra.Build.Succeeded, CompiledInfra.Build.Output);
        Assert.Equal(RepositoryLayout.BicepFiles.Count, CompiledInfra.Files.Count);
        Assert.Contains(CompiledInfra.Files, f => f.RelativePath == Path.Combine("infra", "modules", "servicebus.bicep"));
    }

    [Fact]
    public void TheLinterFindsNothingInInfra()
    {
        var lint = BicepCli.Lint(RepositoryLayout.Infra);

        Assert.True(lint.Succeeded, lint.Output);
    }

    [Fact]
    public void TheLinterTreatsEveryDefaultRuleAsAnError()
    {
        // Without infra/bicepconfig.json these would be warnings, and a build with warnings still succeeds.
        using var scratch = new ScratchBicep(("main.bicep", """
            param used string
            param unused string
            var unusedVariable = 'x'
            output o string = used
            """));

        var lint = scratch.Lint();

        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains(lint.Diagnostics, d => d.Contains(": Error no-unused-params:", StringComparison.Ordinal) && d.Contains("unused", StringComparison.Ordinal));
        Assert.Contains(lint.Diagnostics, d => d.Contains(": Error no-unused-vars:", StringComparison.Ordinal));
        Assert.NotEqual(0, scratch.Build().Run.ExitCode);
    }

    [Fact]
    public void AModuleCallWithAnUnknownOrAMissingParameterDoesNotCompile()
    {
        using var scratch = new ScratchBicep(
            ("child.bicep", "param required string\nparam optional string = ''\noutput o string = '${required}${optional}'\n"),
            ("main.bicep", "module c 'child.bicep' = {\n  name: 'c'\n  params: {\n    optional: 'x'\n    unknown: 'y'\n  }\n}\n"));

        var (run, _) = scratch.Build();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Diagnostics, d => d.Contains("\"required\"", StringComparison.Ordinal) || d.Contains("'required'", StringComparison.Ordinal));
        Assert.Contains(run.Diagnostics, d => d.Contains("\"unknown\"", StringComparison.Ordinal) || d.Contains("'unknown'", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryApiVersionIsStable()
    {
        // No preview version is needed: every property used exists in a GA version (see docs/deploy.md).
        Assert.Empty(InfraChecks.PreviewApiVersions(CompiledInfra.Files));

        using var scratch = new ScratchBicep(("main.bicep", """
            resource s 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
              name: 'sb-scratch'
              location: resourceGroup().location
            }
            """));
        Assert.Single(InfraChecks.PreviewApiVersions([scratch.BuildSingle()]));
    }

    [Fact]
    public void EachResourceTypeIsDeclaredWithOneApiVersion()
    {
        Assert.Empty(InfraChecks.InconsistentApiVersions(CompiledInfra.Files));

        using var scratch = new ScratchBicep(
            ("a.bicep", "resource a 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'a'\n  location: resourceGroup().location\n}\n"),
            ("b.bicep", "resource b 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {\n  name: 'b'\n  location: resourceGroup().location\n}\n"));
        var (run, files) = scratch.Build();
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Single(InfraChecks.InconsistentApiVersions(files));
    }

    [Fact]
    public void ParametersFileNamesOnlyDeclaredParametersAndEveryRequiredOne()
    {
        Assert.Empty(InfraChecks.ParametersFileProblems(CompiledInfra.Main, File.ReadAllText(RepositoryLayout.ParametersFile)));

        using var scratch = new ScratchBicep(("main.bicep", "param required string\nparam count int = 1\noutput o string = '${required}${count}'\n"));
        var problems = InfraChecks.ParametersFileProblems(scratch.BuildSingle(), """{"parameters": {"count": {"value": "3"}, "typo": {"value": 1}}}""");

        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void RoleAssignmentsAreNamedFromScopePrincipalAndRoleAndNameAKnownRoleInAComment()
    {
        Assert.Empty(CompiledInfra.Files.SelectMany(InfraChecks.RoleAssignmentProblems));
        var everyRole = CompiledInfra.DeployWithEveryOption().RoleAssignments();
        Assert.Equal(BuiltInRoles.ById.Count, everyRole.Select(a => a.RoleName).Distinct().Count());
        Assert.All(everyRole, a => Assert.NotNull(a.RoleName));

        const string sender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
        const string comment = "Azure Service Bus Data Sender (" + sender + ")";
        using var scratch = new ScratchBicep(
            ("good.bicep", RoleTemplate(comment, sender, "guid(queue.id, principal, role)")),
            ("two-arguments.bicep", RoleTemplate(comment, sender, "guid(queue.id, role)")),
            ("wrong-scope.bicep", RoleTemplate(comment, sender, "guid(namespace.id, principal, role)")),
            ("unnamed-role.bicep", RoleTemplate("Sender role (" + sender + ")", sender, "guid(queue.id, principal, role)")),
            ("made-up-role.bicep", RoleTemplate("Made-up role", "11111111-2222-3333-4444-555555555555", "guid(queue.id, principal, role)")));
        var (run, files) = scratch.Build();
        Assert.True(run.ExitCode == 0, run.Output);

        var problems = files.ToDictionary(f => Path.GetFileNameWithoutExtension(f.SourcePath), InfraChecks.RoleAssignmentProblems);
        Assert.Empty(problems["good"]);
        Assert.Single(problems["two-arguments"]);
        Assert.Single(problems["wrong-scope"]);
        Assert.Single(problems["unnamed-role"]);
        Assert.Single(problems["made-up-role"]);
    }

    private static string RoleTemplate(string comment, string roleId, string name) => $$"""
        param principal string

        // {{comment}}
        var role = '{{roleId}}'

        resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
          name: 'sb-scratch'
          location: resourceGroup().location
        }

        resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
          parent: namespace
          name: 'pullrequest-events'
        }

        resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
          name: {{name}}
          scope: queue
          properties: {
            roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
            principalId: principal
          }
        }
        """;

    [Fact]
    public void NoParameterCarriesACredential()
    {
        // The SMTP username and password go into Key Vault with `az keyvault secret set` (docs/deploy.md);
        // a parameter would leave them in the deployment history. Secret *names* are fine.
        var suspicious = CompiledInfra.Files
            .SelectMany(f => f.Parameters.Keys.Select(p => (File: f, Parameter: p)))
            .Where(x => (x.Parameter.Contains("password", StringComparison.OrdinalIgnoreCase)
                    || x.Parameter.Contains("username", StringComparison.OrdinalIgnoreCase)
                    || x.Parameter.Contains("secret", StringComparison.OrdinalIgnoreCase)
                    || (x.Parameter.Contains("key", StringComparison.OrdinalIgnoreCase) && !x.Parameter.Contains("keyVault", StringComparison.OrdinalIgnoreCase)))
                && !x.Parameter.EndsWith("SecretName", StringComparison.Ordinal))
            .Select(x => $"{x.File.RelativePath}: {x.Parameter}");

        Assert.Empty(suspicious);
        Assert.DoesNotContain(CompiledInfra.Files.SelectMany(f => f.Parameters.Keys.Select(f.TypeOf)), t => t.StartsWith("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void FunctionAppRunsTheCustomHandlerOnFlexConsumptionWithIdentityDeploymentStorage()
    {
        var deployment = CompiledInfra.Deploy(("instanceMemoryMB", 4096), ("maximumInstanceCount", 7));

        var plan = deployment.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.GetText("sku.name"));
        Assert.Equal("FlexConsumption", plan.GetText("sku.tier"));
        Assert.Equal(true, plan.Get("properties.reserved"));

        var site = deployment.Single(InfraViews.SiteType);
        Assert.Equal("functionapp,linux", site.GetText("kind"));
        Assert.Equal("UserAssigned", site.GetText("identity.type"));
        Assert.Equal(plan.Id, site.GetText("properties.serverFarmId"));
        Assert.Equal("custom", site.GetText("properties.functionAppConfig.runtime.name"));
        Assert.Equal("1.0", site.GetText("properties.functionAppConfig.runtime.version"));
        Assert.Equal("blobContainer", site.GetText("properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("UserAssignedIdentity", site.GetText("properties.functionAppConfig.deployment.storage.authentication.type"));
        var identity = deployment.Single("Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.Equal(identity.Id, site.GetText("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));
        Assert.Equal(4096L, site.Get("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB"));
        Assert.Equal(7L, site.Get("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount"));
    }

    [Fact]
    public void HostStorageHasNoSharedKeysAndIsReachedByTheIdentity()
    {
        var deployment = CompiledInfra.Deployment;
        var account = deployment.Single("Microsoft.Storage/storageAccounts");
        Assert.Equal(false, account.Get("properties.allowSharedKeyAccess"));

        var settings = deployment.AppSettings();
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(deployment.AppClientId(), settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(account.Runtime("primaryEndpoints.blob"), settings["AzureWebJobsStorage__blobServiceUri"]);
        // The app's digests and handled message ids, in tables of the same account, with the same identity.
        Assert.Equal(account.Runtime("primaryEndpoints.table"), settings["AzureWebJobsStorage__tableServiceUri"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Fact]
    public void ServiceBusIsStandardAndAcceptsOnlyEntraIdentities()
    {
        var ns = CompiledInfra.Deployment.Single("Microsoft.ServiceBus/namespaces");
        Assert.Equal("Standard", ns.GetText("sku.name"));
        Assert.Equal(true, ns.Get("properties.disableLocalAuth"));
    }

    [Fact]
    public void KeyVaultUsesRbacWithSoftDeleteAndPurgeProtection()
    {
        var vault = CompiledInfra.Deployment.Single("Microsoft.KeyVault/vaults");
        Assert.Equal(true, vault.Get("properties.enableRbacAuthorization"));
        Assert.Equal(true, vault.Get("properties.enableSoftDelete"));
        Assert.Equal(true, vault.Get("properties.enablePurgeProtection"));
        Assert.Null(vault.Get("properties.accessPolicies"));
    }

    [Fact]
    public void TelemetryIsSentWithTheIdentityToAWorkspaceBasedComponent()
    {
        var deployment = CompiledInfra.Deployment;
        var component = deployment.Single("Microsoft.Insights/components");
        Assert.Equal(true, component.Get("properties.DisableLocalAuth"));
        Assert.Equal(deployment.Single("Microsoft.OperationalInsights/workspaces").Id, component.GetText("properties.WorkspaceResourceId"));

        var settings = deployment.AppSettings();
        Assert.Equal($"ClientId={deployment.AppClientId()};Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal(component.Runtime("ConnectionString"), settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Contains(deployment.RoleAssignments().On(component), a => a.RoleName == BuiltInRoles.MonitoringMetricsPublisher && a.PrincipalId == deployment.AppPrincipalId());
    }

    [Fact]
    public void OutputsGiveADeployScriptTheAppNamespaceVaultAndDeploymentContainer()
    {
        var needed = new[]
        {
            "functionAppName", "serviceBusFullyQualifiedNamespace", "serviceBusNamespaceName", "keyVaultUri", "keyVaultName",
            "storageAccountName", "deploymentContainerName",
        };

        Assert.Subset(CompiledInfra.Main.Outputs.Keys.ToHashSet(StringComparer.Ordinal), needed.ToHashSet(StringComparer.Ordinal));
        var outputs = CompiledInfra.Deployment.Outputs;
        Assert.Equal(CompiledInfra.Deployment.Single(InfraViews.SiteType).Name, outputs["functionAppName"]);
        Assert.Equal(CompiledInfra.Deployment.Single("Microsoft.KeyVault/vaults").Name, outputs["keyVaultName"]);
    }
}
