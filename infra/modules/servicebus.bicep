// Service Bus namespace and the four queues (docs/functions-app.md, "Functions"), with least-privilege data-plane roles:
// the app receives from the three event queues and sends only where its output bindings write (rejected-events,
// and pullrequest-events / repository-events for the BitbucketWebhook function); each producer may send
// only to its own queue; an optional administrators' group may read rejected-events and the dead-letter queues.
// Shared access keys (SAS) are disabled, so every client needs one of these roles.

@description('Azure region of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Service Bus namespace name (6-50 letters, digits and hyphens).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Principal (object) id of the function app identity.')
param appPrincipalId string

@description('Principal (object) ids allowed to send pull-request events (pullrequest-events only); empty: none.')
param pullRequestProducerPrincipalIds array

@description('Principal (object) ids allowed to send repository events (repository-events only); empty: none.')
param repositoryProducerPrincipalIds array

@description('Principal (object) ids of the identity service, the only senders of account events (account-events only); empty: none.')
param accountProducerPrincipalIds array

@description('Object id of the Entra group of administrators who read rejected-events and every dead-letter queue; empty: none.')
param adminGroupPrincipalId string

@description('How long an event waits in its queue before it expires into the dead-letter queue (ISO 8601).')
param eventTimeToLive string

@description('How long a rejected event waits for an administrator before it expires into the dead-letter queue (ISO 8601).')
param rejectedTimeToLive string

// Azure Service Bus Data Receiver (4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0): receive, complete and
// abandon messages. Scaling note: without Data Owner the extension estimates queue length by peeking;
// Data Owner would also let the app send to every queue, which the design forbids.
var serviceBusDataReceiverRoleId = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'

// Azure Service Bus Data Sender (69a216fc-b8fb-44d8-bc22-1f3c2cd27a39): send messages.
var serviceBusDataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

// Lock duration: the handler holds the message lock while it sends mail. One SMTP attempt may take
// Mail__ConnectTimeout (30 s) plus a Mail__CommandTimeout (60 s) per command, so a short lock would let
// Service Bus redeliver a message that is still being sent (a duplicate email). PT5M is the service
// maximum and covers connect + several slow commands; the Functions host also renews the lock while the
// invocation runs (host.json extensions.serviceBus.maxAutoLockRenewalDuration).
// maxDeliveryCount 3: the handler answers 200 for every handled outcome (delivered, dropped, rejected),
// so a redelivery happens only when the process crashes; a message that crashed it three times is a
// poison message and goes to the dead-letter queue instead of crashing it again.
var queueProperties = {
  lockDuration: 'PT5M'
  maxDeliveryCount: 3
  defaultMessageTimeToLive: eventTimeToLive
  deadLetteringOnMessageExpiration: true
  requiresSession: false
  enablePartitioning: false
}

// Duplicate detection on the event queues: a producer that sets MessageId to the event id and sends an event
// twice within 10 minutes (its own retry) has the copy dropped by Service Bus. It can only be chosen when a
// queue is created: an existing queue must be recreated to get it.
var eventQueueProperties = union(queueProperties, {
  requiresDuplicateDetection: true
  duplicateDetectionHistoryTimeWindow: 'PT10M'
})

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource pullRequestEventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBusNamespace
  name: 'pullrequest-events'
  properties: eventQueueProperties
}

resource repositoryEventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBusNamespace
  name: 'repository-events'
  properties: eventQueueProperties
}

resource accountEventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBusNamespace
  name: 'account-events'
  properties: eventQueueProperties
}

// Rejected events are kept for an administrator to read (Service Bus Explorer or a peek), so they live
// longer than events; nothing in Notifier receives from this queue.
resource rejectedEventsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: serviceBusNamespace
  name: 'rejected-events'
  properties: union(queueProperties, {
    defaultMessageTimeToLive: rejectedTimeToLive
  })
}

resource appReceivesPullRequestEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pullRequestEventsQueue.id, appPrincipalId, serviceBusDataReceiverRoleId)
  scope: pullRequestEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appReceivesRepositoryEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(repositoryEventsQueue.id, appPrincipalId, serviceBusDataReceiverRoleId)
  scope: repositoryEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appReceivesAccountEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(accountEventsQueue.id, appPrincipalId, serviceBusDataReceiverRoleId)
  scope: accountEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The app sends only where its output bindings write: `rejected` (every queue function) here, and the
// BitbucketWebhook function's `pullrequests` and `repositories` below. Never to account-events.
resource appSendsRejectedEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(rejectedEventsQueue.id, appPrincipalId, serviceBusDataSenderRoleId)
  scope: rejectedEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The BitbucketWebhook function forwards signed Bitbucket webhook bodies: pr:* to pullrequest-events and
// repo:* to repository-events (its `pullrequests` and `repositories` output bindings).
resource appSendsPullRequestEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pullRequestEventsQueue.id, appPrincipalId, serviceBusDataSenderRoleId)
  scope: pullRequestEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appSendsRepositoryEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(repositoryEventsQueue.id, appPrincipalId, serviceBusDataSenderRoleId)
  scope: repositoryEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Producers may be users, groups, service principals or managed identities, so principalType is left
// for Azure to resolve (they exist before this deployment, so there is no replication delay to avoid).
// One assignment per principal, each on its producer's own queue only.
resource pullRequestProducersSend 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in pullRequestProducerPrincipalIds: {
  name: guid(pullRequestEventsQueue.id, principalId, serviceBusDataSenderRoleId)
  scope: pullRequestEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: principalId
  }
}]

resource repositoryProducersSend 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in repositoryProducerPrincipalIds: {
  name: guid(repositoryEventsQueue.id, principalId, serviceBusDataSenderRoleId)
  scope: repositoryEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: principalId
  }
}]

// Account emails carry password links, so only the identity service may enqueue account events.
resource accountProducersSend 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in accountProducerPrincipalIds: {
  name: guid(accountEventsQueue.id, principalId, serviceBusDataSenderRoleId)
  scope: accountEventsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: principalId
  }
}]

// Administrators read rejected-events and the dead-letter queues with Service Bus Explorer in the portal.
// A dead-letter queue has no role scope of its own: it is read through its queue, so Data Receiver on each
// queue is the narrowest grant there is (it also lets them receive live events; Explorer peeks by default).
// Never Data Sender or Owner: an administrator cannot enqueue events. The queues are named again as
// existing resources so that one loop covers them; taking the names from the queues above makes the
// grants wait for them.
var adminReadableQueueNames = [
  rejectedEventsQueue.name
  pullRequestEventsQueue.name
  repositoryEventsQueue.name
  accountEventsQueue.name
]

resource adminReadableQueues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = [for queueName in adminReadableQueueNames: {
  parent: serviceBusNamespace
  name: queueName
}]

resource adminGroupReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (queueName, i) in adminReadableQueueNames: if (!empty(adminGroupPrincipalId)) {
  name: guid(adminReadableQueues[i].id, adminGroupPrincipalId, serviceBusDataReceiverRoleId)
  scope: adminReadableQueues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRoleId)
    principalId: adminGroupPrincipalId
    // An Entra group, named so that Azure need not look the principal up.
    principalType: 'Group'
  }
}]

output namespaceName string = serviceBusNamespace.name
output rejectedQueueName string = rejectedEventsQueue.name
// Public-cloud host name, the form the Functions Service Bus extension expects in
// ServiceBusConnection__fullyQualifiedNamespace.
output fullyQualifiedNamespace string = '${serviceBusNamespace.name}.servicebus.windows.net'
