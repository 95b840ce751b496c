namespace Notifier.Tests.Infra;

/// <summary>
/// Rules for infra/ that a Bicep compiler or linter would catch (none exists on this machine), each also
/// run on a small broken template to show it can fail.
/// </summary>
public sealed class InfraTemplateTests
{
    [Fact]
    public void EveryParameterIsUsedInItsOwnFile()
    {
        Assert.Empty(InfraTemplate.Files.SelectMany(InfraChecks.UnusedParameters));
        Assert.Single(InfraChecks.UnusedParameters(BicepFile.Parse("param used string\nparam unused string\noutput o string = used\n")));
    }

    [Fact]
    public void EveryVariableIsUsedInItsOwnFile()
    {
        Assert.Empty(InfraTemplate.Files.SelectMany(InfraChecks.UnusedVariables));
        Assert.Single(InfraChecks.UnusedVariables(BicepFile.Parse("var used = 1\nvar unused = 2\noutput o int = used\n")));
    }

    [Fact]
    public void EveryModuleCallPassesOnlyDeclaredParametersAndEveryRequiredOne()
    {
        Assert.Empty(InfraTemplate.Files.SelectMany(InfraChecks.ModuleParameterProblems));

        var folder = Directory.CreateTempSubdirectory("notifier-infra-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "child.bicep"), "param required string\nparam optional string = ''\n");
            var main = Path.Combine(folder.FullName, "main.bicep");
            File.WriteAllText(main, "module c 'child.bicep' = {\n  name: 'c'\n  params: {\n    optional: 'x'\n    unknown: 'y'\n  }\n}\n");

            var problems = InfraChecks.ModuleParameterProblems(BicepFile.Load(main));

            Assert.Equal(2, problems.Count);
            Assert.Contains(problems, p => p.Contains("'unknown'", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("'required'", StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void EveryApiVersionIsStable()
    {
        // No preview version is needed: every property used exists in a GA version (see docs/deploy.md).
        Assert.Empty(InfraChecks.PreviewApiVersions(InfraTemplate.Files));
        Assert.Single(InfraChecks.PreviewApiVersions([BicepFile.Parse("resource s 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {\n  name: 's'\n}\n")]));
    }

    [Fact]
    public void EachResourceTypeIsDeclaredWithOneApiVersion()
    {
        Assert.Empty(InfraChecks.InconsistentApiVersions(InfraTemplate.Files));
        Assert.Single(InfraChecks.InconsistentApiVersions(
        [
            BicepFile.Parse("resource a 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'a'\n}\n"),
            BicepFile.Parse("resource b 'Microsoft.Web/sites@2023-12-01' = {\n  name: 'b'\n}\n"),
        ]));
    }

    [Fact]
    public void ParametersFileNamesOnlyDeclaredParametersAndEveryRequiredOne()
    {
        Assert.Empty(InfraChecks.ParametersFileProblems(InfraTemplate.Main, File.ReadAllText(RepositoryLayout.ParametersFile)));

        var template = BicepFile.Parse("param required string\nparam count int = 1\noutput o string = '${required}${count}'\n");
        var problems = InfraChecks.ParametersFileProblems(template, """{"parameters": {"count": {"value": "3"}, "typo": {"value": 1}}}""");

        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void RoleAssignmentsAreNamedFromScopePrincipalAndRoleAndNameAKnownRoleInAComment()
    {
        Assert.Empty(InfraTemplate.Files.SelectMany(InfraChecks.RoleAssignmentProblems));
        Assert.Equal(6, InfraTemplate.Files.SelectMany(RoleAssignment.ReadAll).Select(a => a.RoleName).Distinct().Count());

        const string sender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
        Assert.Empty(InfraChecks.RoleAssignmentProblems(RoleTemplate("Azure Service Bus Data Sender (" + sender + ")", sender, "guid(queue.id, principal, role)")));
        Assert.Single(InfraChecks.RoleAssignmentProblems(RoleTemplate("Azure Service Bus Data Sender (" + sender + ")", sender, "guid(queue.id, role)")));
        Assert.Single(InfraChecks.RoleAssignmentProblems(RoleTemplate("Azure Service Bus Data Sender (" + sender + ")", sender, "guid(namespace.id, principal, role)")));
        Assert.Single(InfraChecks.RoleAssignmentProblems(RoleTemplate("Sender role (" + sender + ")", sender, "guid(queue.id, principal, role)")));
        Assert.Single(InfraChecks.RoleAssignmentProblems(RoleTemplate("Made-up role", "11111111-2222-3333-4444-555555555555", "guid(queue.id, principal, role)")));
    }

    private static BicepFile RoleTemplate(string comment, string roleId, string name) => BicepFile.Parse($$"""
        // {{comment}}
        var role = '{{roleId}}'
        resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
          name: {{name}}
          scope: queue
          properties: {
            roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
            principalId: principal
          }
        }
        """);

    [Fact]
    public void NoParameterCarriesACredential()
    {
        // The SMTP username and password go into Key Vault with `az keyvault secret set` (docs/deploy.md);
        // a parameter would leave them in the deployment history. Secret *names* are fine.
        var suspicious = InfraTemplate.Files
            .SelectMany(f => f.Parameters.Select(p => (File: f, Parameter: p)))
            .Where(x => (x.Parameter.Name.Contains("password", StringComparison.OrdinalIgnoreCase)
                    || x.Parameter.Name.Contains("username", StringComparison.OrdinalIgnoreCase)
                    || x.Parameter.Name.Contains("secret", StringComparison.OrdinalIgnoreCase)
                    || (x.Parameter.Name.Contains("key", StringComparison.OrdinalIgnoreCase) && !x.Parameter.Name.Contains("keyVault", StringComparison.OrdinalIgnoreCase)))
                && !x.Parameter.Name.EndsWith("SecretName", StringComparison.Ordinal))
            .Select(x => $"{x.File.Path}: {x.Parameter.Name}");

        Assert.Empty(suspicious);
        Assert.DoesNotContain("@secure()", string.Concat(InfraTemplate.Files.Select(f => f.Code)), StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionAppRunsTheCustomHandlerOnFlexConsumptionWithIdentityDeploymentStorage()
    {
        var plan = InfraTemplate.FunctionApp.Resources.Single(r => r.Type == "Microsoft.Web/serverfarms");
        Assert.Equal("'FC1'", plan.Body.Property("sku")!.Property("name")!.Expression);
        Assert.Equal("'FlexConsumption'", plan.Body.Property("sku")!.Property("tier")!.Expression);
        Assert.Equal("true", plan.Body.Property("properties")!.Property("reserved")!.Expression);

        var site = InfraTemplate.FunctionApp.Resources.Single(r => r.Type == "Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", site.Body.Property("kind")!.StringLiteral);
        Assert.Equal("'UserAssigned'", site.Body.Property("identity")!.Property("type")!.Expression);
        var config = site.Body.Property("properties")!.Property("functionAppConfig")!;
        Assert.Equal("custom", config.Property("runtime")!.Property("name")!.StringLiteral);
        Assert.Equal("1.0", config.Property("runtime")!.Property("version")!.StringLiteral);
        var storage = config.Property("deployment")!.Property("storage")!;
        Assert.Equal("blobContainer", storage.Property("type")!.StringLiteral);
        Assert.Equal("UserAssignedIdentity", storage.Property("authentication")!.Property("type")!.StringLiteral);
        Assert.Equal("identityId", storage.Property("authentication")!.Property("userAssignedIdentityResourceId")!.Expression);
        var scale = config.Property("scaleAndConcurrency")!;
        Assert.Equal("instanceMemoryMB", scale.Property("instanceMemoryMB")!.Expression);
        Assert.Equal("maximumInstanceCount", scale.Property("maximumInstanceCount")!.Expression);
        Assert.NotNull(InfraTemplate.Main.Parameter("instanceMemoryMB"));
        Assert.NotNull(InfraTemplate.Main.Parameter("maximumInstanceCount"));
    }

    [Fact]
    public void HostStorageHasNoSharedKeysAndIsReachedByTheIdentity()
    {
        var account = InfraTemplate.Storage.Resources.Single(r => r.Type == "Microsoft.Storage/storageAccounts");
        Assert.Equal("false", account.Body.Property("properties")!.Property("allowSharedKeyAccess")!.Expression);

        var settings = InfraTemplate.AppSettings;
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"].StringLiteral);
        Assert.Equal("identityClientId", settings["AzureWebJobsStorage__clientId"].Expression);
        Assert.Equal("storageBlobEndpoint", settings["AzureWebJobsStorage__blobServiceUri"].Expression);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Fact]
    public void ServiceBusIsStandardAndAcceptsOnlyEntraIdentities()
    {
        var ns = InfraTemplate.ServiceBus.Resources.Single(r => r.Type == "Microsoft.ServiceBus/namespaces");
        Assert.Equal("Standard", ns.Body.Property("sku")!.Property("name")!.StringLiteral);
        Assert.Equal("true", ns.Body.Property("properties")!.Property("disableLocalAuth")!.Expression);
    }

    [Fact]
    public void KeyVaultUsesRbacWithSoftDeleteAndPurgeProtection()
    {
        var properties = InfraTemplate.KeyVault.Resources.Single(r => r.Type == "Microsoft.KeyVault/vaults").Body.Property("properties")!;
        Assert.Equal("true", properties.Property("enableRbacAuthorization")!.Expression);
        Assert.Equal("true", properties.Property("enableSoftDelete")!.Expression);
        Assert.Equal("true", properties.Property("enablePurgeProtection")!.Expression);
        Assert.Null(properties.Property("accessPolicies"));
    }

    [Fact]
    public void TelemetryIsSentWithTheIdentityToAWorkspaceBasedComponent()
    {
        var component = InfraTemplate.Monitoring.Resources.Single(r => r.Type == "Microsoft.Insights/components").Body.Property("properties")!;
        Assert.Equal("true", component.Property("DisableLocalAuth")!.Expression);
        Assert.Equal("logAnalytics.id", component.Property("WorkspaceResourceId")!.Expression);
        Assert.Equal("'ClientId=${identityClientId};Authorization=AAD'", InfraTemplate.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].Expression);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", InfraTemplate.AppSettings.Keys);
        Assert.Contains(RoleAssignment.ReadAll(InfraTemplate.Monitoring), a => a.RoleName == BuiltInRoles.MonitoringMetricsPublisher && a.Principal == "appPrincipalId");
    }

    [Fact]
    public void OutputsGiveADeployScriptTheAppNamespaceVaultAndDeploymentContainer()
    {
        var outputs = InfraTemplate.Main.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var needed = new HashSet<string>(StringComparer.Ordinal)
        {
            "functionAppName", "serviceBusFullyQualifiedNamespace", "serviceBusNamespaceName", "keyVaultUri", "keyVaultName",
            "storageAccountName", "deploymentContainerName",
        };

        Assert.Subset(outputs, needed);
    }
}
