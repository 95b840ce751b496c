// What an administrator is told about (docs/operations.md, "Alerts"): events dropped, events rejected,
// messages dead-lettered and failed invocations. Each alert's description says where to look first. With
// an e-mail address the alerts mail it through an action group; without one they still fire and are listed
// in the portal (Monitor > Alerts), notifying nobody.

@description('Azure region of the log alerts (the region of Application Insights).')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the action group.')
param actionGroupName string

@description('Prefix of every alert rule\'s name.')
param alertNamePrefix string

@description('E-mail address the alerts are sent to; empty: no action group, the alerts notify nobody.')
param alertEmail string

@description('Name of the Application Insights component the app exports to.')
param applicationInsightsName string

@description('Name of the Service Bus namespace of the queues.')
param serviceBusNamespaceName string

@description('The rejected-events queue.')
param rejectedQueueName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    // Shown as the sender of SMS and push notifications; at most 12 characters.
    groupShortName: 'notifier'
    enabled: true
    emailReceivers: [
      {
        name: 'administrator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = !empty(alertEmail) ? [actionGroup.id] : []

// Log alerts query Application Insights (the workspace-based component), with the table names docs/operations.md uses.
// The query's column that is compared with the threshold:
var logAlertMeasure = 'affected'

// notifier.events counts every event by outcome, notifier.digests every digest; either with outcome=dropped is mail
// that was lost (never retried, as in Bitbucket).
var droppedQuery = '''
customMetrics
| where name in ("notifier.events", "notifier.digests") and tostring(customDimensions.outcome) == "dropped"
| summarize affected = sum(valueSum)
'''

resource droppedAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${alertNamePrefix}-events-dropped'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Notifier dropped events'
    description: 'Mail was lost: at least one event (or digest) was dropped in the last 15 minutes because sending failed, and it is not retried. Look first at the drop reasons: docs/operations.md, "Drops by reason" (traces, EventId 1002; 1104 for digests). Usual causes: the mail server is down or refuses the connection, TLS or AUTH fails, Key Vault cannot be read. Then send a test email (docs/deploy.md, step 5).'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: droppedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: logAlertMeasure
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

// The Functions host records each invocation as a request; success == false means the handler answered with an
// error, timed out or was not running. Only the functions no caller waits on (the queue and timer triggers): the
// HTTP functions answer their callers (the admin's test email, Bitbucket's webhook page) with the reason.
var failedInvocationsQuery = '''
requests
| where success == false and operation_Name in ("PullRequestEvents", "RepositoryEvents", "AccountEvents", "FlushBatches")
| summarize affected = count() by FunctionName = operation_Name
'''

resource failedInvocationsAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${alertNamePrefix}-invocations-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Notifier failed invocations'
    description: 'The handler failed invocations of a queue or timer function (dimension FunctionName) in the last 15 minutes: the message goes back to its queue and after three failed deliveries to the dead-letter queue. Look first at the invocation\'s logs: docs/operations.md, "Failed invocations" (requests where success == false, then its traces by operation_Id). Usual causes: unusable settings (EventId 3010: the problems are listed), the handler not starting, the storage account unreachable.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: failedInvocationsQuery
          timeAggregation: 'Total'
          metricMeasureColumn: logAlertMeasure
          dimensions: [
            {
              name: 'FunctionName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

// Metric alerts on the namespace, split by queue (EntityName). Maximum over the window: a count above zero at any
// point. They stay fired while the condition holds and resolve by themselves once the queue is empty.
resource rejectedAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${alertNamePrefix}-events-rejected'
  location: 'global'
  tags: tags
  properties: {
    description: 'rejected-events holds a message: a producer sent an event Notifier cannot mail (not JSON, fails the schema, wrong queue, unsafe link, too large). Look first at the message in Service Bus Explorer (namespace > Queues > rejected-events > Peek): its body is an envelope with "reason", the queue and the original body. Fix the producer, then receive (delete) the message; this alert stays fired until the queue is empty. docs/operations.md, "Rejections by reason".'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'RejectedEventsWaiting'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                rejectedQueueName
              ]
            }
          ]
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    autoMitigate: true
    actions: [for id in actionGroupIds: {
      actionGroupId: id
    }]
  }
}

resource deadLetteredAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${alertNamePrefix}-messages-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'A queue (dimension EntityName) has a message in its dead-letter queue. Look first at the message in Service Bus Explorer (the queue > Dead-letter > Peek) and its DeadLetterReason: MaxDeliveryCountExceeded means three invocations failed on it (see the failed-invocations alert and docs/operations.md, "Failed invocations"); TTLExpiredException means it waited longer than its time to live (the app was stopped or could not receive). Resend or delete it; this alert stays fired until the dead-letter queue is empty. docs/operations.md, "Alerts".'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLetteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          // Every queue, each its own alert instance.
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    autoMitigate: true
    actions: [for id in actionGroupIds: {
      actionGroupId: id
    }]
  }
}
