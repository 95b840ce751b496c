// Notifier on Azure: the Functions custom handler on Flex Consumption, its Service Bus queues, Key Vault for
// the SMTP credentials, host storage and monitoring. Deploy into an existing resource group:
//   az deployment group create -g <group> -f infra/main.bicep -p infra/main.parameters.json
// (docs/deploy.md walks through every step). Names derive from one token, as in the Azure quickstarts.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------------
// Environment and scale

@description('Short environment name (e.g. prod, test). Seeds the naming token and tags every resource.')
@minLength(1)
@maxLength(32)
param environmentName string

@description('Azure region; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Memory of each Functions instance in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to. Each holds up to Mail__MaxConnections SMTP connections, so this also bounds the load on the mail server. Values under 40 are accepted only in regions where Azure has enabled them.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('How long an event waits in its queue before it expires into the dead-letter queue (ISO 8601). A day-old notification is stale, and an expired one is kept in the dead-letter queue, not lost.')
param eventTimeToLive string = 'P1D'

@description('How long a rejected event stays in rejected-events for an administrator (ISO 8601).')
param rejectedTimeToLive string = 'P14D'

@description('Largest rejected envelope in bytes (Rejected__MaxEnvelopeBytes): the rejected-events queue\'s message size limit, 262144 on Service Bus Standard. A rejected body that does not fit is kept whole in the rejected-bodies blob container.')
@minValue(16384)
param rejectedEnvelopeMaxBytes int = 262144

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// ---------------------------------------------------------------------------------------------------------
// Mail server (Mail__*, README.md "Configuration"). The username and password are never parameters: they live in Key Vault.
// With OAuth2 the username is the mailbox, which is not a secret (mailOAuth2Mailbox).

@description('Mail__Host: SMTP server host name or IP address.')
@minLength(1)
param mailHost string

@description('Mail__Port: TCP port; 0 leaves it unset so the app uses 25 for Smtp and 465 for Smtps.')
@minValue(0)
@maxValue(65535)
param mailPort int = 0

@description('Mail__Protocol: Smtp, or Smtps (TLS from the first byte).')
@allowed([
  'Smtp'
  'Smtps'
])
param mailProtocol string = 'Smtp'

@description('Mail__Tls (Smtp only): None, IfAvailable (STARTTLS when offered) or Always (no STARTTLS, no mail).')
@allowed([
  'None'
  'IfAvailable'
  'Always'
])
param mailTls string = 'IfAvailable'

@description('Mail__From: the From header, e.g. "Code Review <noreply@example.com>".')
@minLength(1)
param mailFrom string

@description('Mail__TrustedCertificatesPath: PEM file of extra trusted certificates, as a path inside the deployed package; empty: system store only.')
param mailTrustedCertificatesPath string = ''

@description('PEM text of the mail server\'s certificate or private CA (self-signed or private-CA server). Stored as the Key Vault secret mail-trusted-certificates and given to the app as Mail__TrustedCertificates (a Key Vault reference). Empty: none. Public certificates only, never a private key.')
param mailTrustedCertificatesPem string = ''

@description('Mail__AllowPlaintextAuth: allow AUTH over an unencrypted connection.')
param mailAllowPlaintextAuth bool = false

@description('Mail__ConnectTimeout (TimeSpan, hh:mm:ss).')
param mailConnectTimeout string = '00:00:30'

@description('Mail__CommandTimeout (TimeSpan, hh:mm:ss), per SMTP command.')
param mailCommandTimeout string = '00:01:00'

@description('Mail__MaxConnections: pooled SMTP connections per instance.')
@minValue(1)
param mailMaxConnections int = 4

@description('Mail__OutboxDirectory: where .eml files go when Mail__Host is empty (local use); empty: the app default.')
param mailOutboxDirectory string = ''

// ---------------------------------------------------------------------------------------------------------
// Notifications (Notifications__*) and the SMTP credentials in Key Vault (KeyVault__*)

@description('Notifications__BaseUrl: public https URL of the code-hosting site; every link in an account email must start with it.')
@minLength(1)
param notificationsBaseUrl string

@description('Notifications__SubjectPrefix, e.g. [Bitbucket]; empty: none.')
param notificationsSubjectPrefix string = ''

@description('Notifications__Batching__Mode: Batched (activity per person and pull request becomes one digest, as Bitbucket does) or Immediate (one email per event).')
@allowed([
  'Batched'
  'Immediate'
])
param batchingMode string = 'Batched'

@description('Notifications__Batching__QuietPeriod: a digest goes out once nothing was added to it for this long.')
param batchingQuietPeriod string = '00:10:00'

@description('Notifications__Batching__MaxDelay: a digest goes out at the latest this long after its first item.')
param batchingMaxDelay string = '00:30:00'

@description('Notifications__Batching__Repositories: true also batches repository and commit events, per person and repository.')
param batchingRepositories bool = false

@description('Notifications__Batching__FlushSchedule: when FlushBatches looks for due digests (six-field NCRONTAB, seconds first).')
param batchingFlushSchedule string = '0 */1 * * * *'

@description('true: the app reads the SMTP username and password from the vault this template creates (sets KeyVault__Uri). false: anonymous SMTP, KeyVault__Uri stays unset. Not used with mailAuthentication=OAuth2, which has no password.')
param mailUseKeyVaultCredentials bool = true

@description('Mail__Authentication: Auto (a password when the Key Vault credentials are used, else anonymous), Password, or OAuth2 (SASL XOAUTH2 with a token for the app\'s identity, e.g. Microsoft 365; no password secret is read).')
@allowed([
  'Auto'
  'Password'
  'OAuth2'
])
param mailAuthentication string = 'Auto'

@description('Mail__Username with mailAuthentication=OAuth2: the mailbox the app sends as (the XOAUTH2 user), e.g. notifier@contoso.com.')
param mailOAuth2Mailbox string = ''

@description('Mail__OAuth2__Scope: the scope of the token (Exchange Online by default).')
param mailOAuth2Scope string = 'https://outlook.office365.com/.default'

@description('Mail__OAuth2__TenantId and Mail__OAuth2__ClientId: an Entra application that gets the token instead of the app\'s managed identity; its client secret goes in the vault as keyVaultClientSecretName. Both empty: the managed identity. Only one of them set: the deployment fails.')
param mailOAuth2TenantId string = ''

@description('See mailOAuth2TenantId.')
param mailOAuth2ClientId string = ''

@description('KeyVault__ClientSecretSecret: name of the secret that holds the Entra application\'s client secret (mailOAuth2ClientId only).')
param keyVaultClientSecretName string = 'mail-client-secret'

@description('KeyVault__UsernameSecret: name of the secret that holds the SMTP username.')
param keyVaultUsernameSecretName string = 'mail-username'

@description('KeyVault__PasswordSecret: name of the secret that holds the SMTP password.')
param keyVaultPasswordSecretName string = 'mail-password'

@description('KeyVault__RefreshInterval (TimeSpan, hh:mm:ss): how long the app reuses the secrets before reading them again, so a rotated password is picked up without a restart.')
param keyVaultRefreshInterval string = '00:10:00'

@description('Days a deleted vault or secret stays recoverable (purge protection keeps the vault name reserved that long).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

// ---------------------------------------------------------------------------------------------------------
// The BitbucketWebhook function (Bitbucket__*; docs/bitbucket.md)

@description('Name of the Key Vault secret holding the Bitbucket webhook secret; Bitbucket__WebhookSecret is a Key Vault reference to it. deploy.sh creates the secret when it is missing (docs/bitbucket.md).')
param bitbucketWebhookSecretName string = 'bitbucket-webhook-secret'

@description('Bitbucket__AllowUnsignedWebhooks: accept webhooks without a signature. Keep false in production.')
param bitbucketAllowUnsignedWebhooks bool = false

// ---------------------------------------------------------------------------------------------------------
// Who else gets access (all optional; object ids, e.g. `az ad signed-in-user show --query id -o tsv`)

@description('Object id of the deployer (user or pipeline); gets Key Vault Secrets Officer to set the SMTP secrets. Empty: none.')
param deployerPrincipalId string = ''

@description('Object ids of the producers of pull-request events (users, groups, service principals, managed identities); each may send to pullrequest-events only. Empty: none.')
param pullRequestProducerPrincipalIds array = []

@description('Object ids of the producers of repository events; each may send to repository-events only. Empty: none.')
param repositoryProducerPrincipalIds array = []

@description('Object ids of the identity service (e.g. its managed identity per environment or slot), the only principals that may send to account-events. Empty: none.')
param accountProducerPrincipalIds array = []

@description('Object id of the Entra group of administrators; it may read (peek and receive) rejected-events and every queue\'s dead-letter queue, e.g. with Service Bus Explorer in the portal. Empty: none.')
param adminGroupPrincipalId string = ''

// ---------------------------------------------------------------------------------------------------------
// Alerts (docs/operations.md, "Alerts")

@description('E-mail address that receives the alerts (events dropped or rejected, messages dead-lettered, failed invocations). Empty: the alerts are still created and listed in the portal (Monitor > Alerts), but notify nobody.')
param alertEmail string = ''

// ---------------------------------------------------------------------------------------------------------
// Names

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  application: 'notifier'
  environment: environmentName
}
var names = {
  identity: 'id-notifier-${resourceToken}'
  storage: 'st${resourceToken}'
  deploymentContainer: 'app-package-${resourceToken}'
  rejectedBodiesContainer: 'rejected-bodies'
  logAnalytics: 'log-notifier-${resourceToken}'
  applicationInsights: 'appi-notifier-${resourceToken}'
  serviceBus: 'sb-notifier-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-notifier-${resourceToken}'
  app: 'func-notifier-${resourceToken}'
  actionGroup: 'ag-notifier-${resourceToken}'
  alertPrefix: 'alert-notifier-${resourceToken}'
}

// ---------------------------------------------------------------------------------------------------------
// Resources

// A user-assigned identity rather than the app's system-assigned one: it exists before the app, so every
// role assignment below is in place when the app first starts and pulls its deployment package (no
// start-up race), and it survives re-creating the app.
resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    retentionInDays: logRetentionInDays
    appPrincipalId: appIdentity.properties.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    storageAccountName: names.storage
    deploymentContainerName: names.deploymentContainer
    rejectedBodiesContainerName: names.rejectedBodiesContainer
    appPrincipalId: appIdentity.properties.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    tags: tags
    namespaceName: names.serviceBus
    appPrincipalId: appIdentity.properties.principalId
    pullRequestProducerPrincipalIds: pullRequestProducerPrincipalIds
    repositoryProducerPrincipalIds: repositoryProducerPrincipalIds
    accountProducerPrincipalIds: accountProducerPrincipalIds
    adminGroupPrincipalId: adminGroupPrincipalId
    eventTimeToLive: eventTimeToLive
    rejectedTimeToLive: rejectedTimeToLive
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: tags
    keyVaultName: names.keyVault
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    appPrincipalId: appIdentity.properties.principalId
    deployerPrincipalId: deployerPrincipalId
    trustedCertificatesPem: mailTrustedCertificatesPem
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    actionGroupName: names.actionGroup
    alertNamePrefix: names.alertPrefix
    alertEmail: alertEmail
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    rejectedQueueName: serviceBus.outputs.rejectedQueueName
  }
}

// The app's own settings (README.md "Configuration"). Optional values are left unset when empty, so the app applies its
// documented default instead of parsing an empty string.
var mailRequiredSettings = {
  Mail__Host: mailHost
  Mail__Protocol: mailProtocol
  Mail__Tls: mailTls
  Mail__From: mailFrom
  Mail__AllowPlaintextAuth: string(mailAllowPlaintextAuth)
  Mail__ConnectTimeout: mailConnectTimeout
  Mail__CommandTimeout: mailCommandTimeout
  Mail__MaxConnections: string(mailMaxConnections)
}
var mailPortSetting = mailPort > 0 ? { Mail__Port: string(mailPort) } : {}
var mailTrustedCertificatesSetting = !empty(mailTrustedCertificatesPath) ? { Mail__TrustedCertificatesPath: mailTrustedCertificatesPath } : {}
var mailOutboxSetting = !empty(mailOutboxDirectory) ? { Mail__OutboxDirectory: mailOutboxDirectory } : {}
// A Key Vault reference: the platform reads the secret with the app's identity (keyVaultReferenceIdentity)
// and hands the app the PEM text, line breaks intact.
var mailTrustedCertificatesTextSetting = !empty(mailTrustedCertificatesPem) ? {
  Mail__TrustedCertificates: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.trustedCertificatesSecretUri})'
} : {}
var mailSettings = union(mailRequiredSettings, mailPortSetting, mailTrustedCertificatesSetting, mailTrustedCertificatesTextSetting, mailOutboxSetting)

var subjectPrefixSetting = !empty(notificationsSubjectPrefix) ? { Notifications__SubjectPrefix: notificationsSubjectPrefix } : {}
var batchingSettings = {
  Notifications__Batching__Mode: batchingMode
  Notifications__Batching__QuietPeriod: batchingQuietPeriod
  Notifications__Batching__MaxDelay: batchingMaxDelay
  Notifications__Batching__Repositories: string(batchingRepositories)
  // Also read by the host: FlushBatches/function.json has "schedule": "%Notifications__Batching__FlushSchedule%".
  Notifications__Batching__FlushSchedule: batchingFlushSchedule
}
var notificationSettings = union({ Notifications__BaseUrl: notificationsBaseUrl }, subjectPrefixSetting, batchingSettings)

// With OAuth2 the mailbox is a plain setting and no username or password secret is referenced; the vault
// is used only for an Entra application's client secret.
var useOAuth2 = mailAuthentication == 'OAuth2'
// Half an application (a tenant without a client id, or the reverse) is refused here rather than quietly
// replaced by the managed identity; the app's settings check refuses the same pair.
var useOAuth2Application = useOAuth2 && (empty(mailOAuth2TenantId) != empty(mailOAuth2ClientId))
  ? fail('mailOAuth2TenantId and mailOAuth2ClientId go together: set both (an Entra application signs in) or neither (the app\'s managed identity signs in)')
  : useOAuth2 && !empty(mailOAuth2ClientId)
var oauth2ApplicationSettings = useOAuth2Application ? {
  Mail__OAuth2__TenantId: mailOAuth2TenantId
  Mail__OAuth2__ClientId: mailOAuth2ClientId
} : {}
var authenticationSettings = useOAuth2 ? union({
  Mail__Authentication: mailAuthentication
  Mail__Username: mailOAuth2Mailbox
  Mail__OAuth2__Scope: mailOAuth2Scope
}, oauth2ApplicationSettings) : {
  Mail__Authentication: mailAuthentication
}

var keyVaultPasswordSettings = !useOAuth2 && mailUseKeyVaultCredentials ? {
  KeyVault__Uri: keyVault.outputs.keyVaultUri
  KeyVault__UsernameSecret: keyVaultUsernameSecretName
  KeyVault__PasswordSecret: keyVaultPasswordSecretName
  KeyVault__RefreshInterval: keyVaultRefreshInterval
} : {}
var keyVaultClientSecretSettings = useOAuth2Application ? {
  KeyVault__Uri: keyVault.outputs.keyVaultUri
  KeyVault__ClientSecretSecret: keyVaultClientSecretName
  KeyVault__RefreshInterval: keyVaultRefreshInterval
} : {}
var keyVaultSettings = union(keyVaultPasswordSettings, keyVaultClientSecretSettings)

// Rejected bodies too large for their envelope go to a container of the host storage account, which the app
// already reaches with its identity (Storage Blob Data Owner on the account).
var rejectedSettings = {
  Rejected__MaxEnvelopeBytes: string(rejectedEnvelopeMaxBytes)
  Rejected__BodyContainer: storage.outputs.rejectedBodiesContainerName
}

// Resolved by the platform with the app's identity (keyVaultReferenceIdentity); the app refuses every webhook
// while the reference does not resolve, so a missing secret can never be guessed.
var bitbucketSettings = {
  Bitbucket__WebhookSecret: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.keyVaultName};SecretName=${bitbucketWebhookSecretName})'
  Bitbucket__AllowUnsignedWebhooks: string(bitbucketAllowUnsignedWebhooks)
}

// Takes outputs of every other module, so the app is created only after all its role assignments exist.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: tags
    planName: names.plan
    appName: names.app
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettings: union(mailSettings, authenticationSettings, notificationSettings, keyVaultSettings, rejectedSettings, bitbucketSettings)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Outputs for deploy scripts (docs/deploy.md reads them with `az deployment group show --query properties.outputs`)

output functionAppName string = functionApp.outputs.appName
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'
output serviceBusNamespaceName string = serviceBus.outputs.namespaceName
output serviceBusFullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output keyVaultName string = keyVault.outputs.keyVaultName
output keyVaultUri string = keyVault.outputs.keyVaultUri
output storageAccountName string = storage.outputs.storageAccountName
output deploymentContainerName string = storage.outputs.deploymentContainerName
output applicationInsightsName string = monitoring.outputs.applicationInsightsName
output identityClientId string = appIdentity.properties.clientId
output identityPrincipalId string = appIdentity.properties.principalId
