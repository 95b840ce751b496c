// The Functions app on the Flex Consumption plan (FC1, Linux) running the `notifier` custom handler.
// Every connection (host storage, deployment storage, Service Bus, Application Insights, Key Vault) uses
// the user-assigned identity; the app holds no key or connection secret.

@description('Azure region of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Flex Consumption plan name.')
param planName string

@description('Function app name (globally unique: it becomes <name>.azurewebsites.net).')
param appName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (selects it for the host, the extensions and Azure.Identity).')
param identityClientId string

@description('Blob endpoint of the host storage account, e.g. https://<account>.blob.core.windows.net/.')
param storageBlobEndpoint string

@description('Table endpoint of the same account: the app keeps digests and handled message ids there.')
param storageTableEndpoint string

@description('Blob container that receives the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (ingestion endpoint; local auth is disabled).')
param applicationInsightsConnectionString string

@description('Host name of the Service Bus namespace, e.g. <namespace>.servicebus.windows.net.')
param serviceBusFullyQualifiedNamespace string

@description('Memory of each instance in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int

@description('Upper bound on instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('The app\'s own settings (Mail__*, Notifications__*, KeyVault__*, Rejected__*, Bitbucket__*), merged over the platform settings below.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux.
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault reference app settings (Mail__TrustedCertificates, Bitbucket__WebhookSecret) are read with
    // this identity, not a system-assigned one (the app has none).
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      // A custom handler: the host starts the executable named in host.json (customHandler).
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
}

// Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and
// WEBSITE_RUN_FROM_PACKAGE (functionAppConfig replaces them), so none is set here.
var platformSettings = {
  // Host storage by identity: blob only (keys and leases); no queue or table trigger uses it.
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  // The app's own tables (digests, handled message ids), with the same identity.
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The `connection: ServiceBusConnection` of every trigger and of the `rejected` output binding.
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The app's own sign-ins take the user-assigned identity from AZURE_CLIENT_ID: a ManagedIdentityCredential
  // with this client id reads the Key Vault secrets (KeyVaultClientFactory, KeyVault__Uri) and gets the OAuth2
  // mail token when no Entra application is set (OAuth2CredentialsFactory). The storage tables use it only when
  // AzureWebJobsStorage__clientId is empty (StorageConnection).
  AZURE_CLIENT_ID: identityClientId
  // .NET sizes the smallest gen0 budget from the CPU's L3 cache; cloud hosts report hundreds of MB of L3
  // (260 MB on the benchmark machine), so the handler grew to ~200 MB before its first collection. 16 MB keeps
  // it near 140 MB at full load; 8 MB saved 6 MB more but collected gen1 eight times as often, with worse p99
  // latency (docs/functions-app.md, "Size and memory"). The runtime
  // reads this knob only from the environment, so it is an app setting rather than a runtimeconfig property.
  DOTNET_GCgen0size: '0x1000000'
  // Socket completions run their continuation on the thread that saw them ready, instead of queueing it to
  // the thread pool: one context switch less per SMTP reply and per request. Safe only because nothing in the
  // handler blocks a thread on I/O (every wait is awaited); tests run `serve` with it. Environment-only knob.
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS: '1'
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(platformSettings, appSettings)
}

output appName string = app.name
output defaultHostName string = app.properties.defaultHostName
