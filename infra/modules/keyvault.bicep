// Key Vault for the SMTP credentials (secrets named by KeyVault__UsernameSecret / KeyVault__PasswordSecret).
// Authorization is Azure RBAC only; the template never writes a credential (docs/deploy.md sets them). The one
// value it may store is the mail server's public certificate (PEM), so the app can trust it.

@description('Azure region of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Key Vault name (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Principal (object) id of the function app identity; it reads the SMTP secrets.')
param appPrincipalId string

@description('Optional principal (object) id of whoever runs the deployment; it may then set the secrets. Empty: none.')
param deployerPrincipalId string

@description('PEM text of the mail server certificate or private CA to trust; empty: no secret is created.')
param trustedCertificatesPem string

@description('Name of the secret that holds trustedCertificatesPem.')
param trustedCertificatesSecretName string = 'mail-trusted-certificates'

// Key Vault Secrets User (4633458b-17de-408a-b874-0445c86b69e6): read secret values, nothing else.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// Key Vault Secrets Officer (b86a8fe4-44ce-4948-aee5-eccb2c155cd7): create and update secrets
// (`az keyvault secret set`); with RBAC authorization even a subscription Owner needs a data-plane role.
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Purge protection cannot be turned off again: a deleted vault keeps its name for the retention period.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer may be a user or a pipeline's service principal, so principalType is left for Azure to resolve.
resource deployerWritesSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: deployerPrincipalId
  }
}

// The PEM of a self-signed or private-CA mail server, for the Mail__TrustedCertificates Key Vault reference.
resource trustedCertificates 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(trustedCertificatesPem)) {
  parent: vault
  name: trustedCertificatesSecretName
  properties: {
    value: trustedCertificatesPem
    contentType: 'application/x-pem-file'
  }
}

output keyVaultName string = vault.name
output keyVaultUri string = vault.properties.vaultUri
// Versionless, so a new version of the certificate is picked up when the platform refreshes the reference.
output trustedCertificatesSecretUri string = '${vault.properties.vaultUri}secrets/${trustedCertificatesSecretName}'
