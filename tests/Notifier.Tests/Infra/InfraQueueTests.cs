using System.Globalization;
using System.Xml;

namespace Notifier.Tests.Infra;

/// <summary>The queues infra creates against the queues the app's function.json files bind to.</summary>
public sealed class InfraQueueTests
{
    private static IEnumerable<FunctionBinding> ServiceBusBindings =>
        AppContract.Functions.SelectMany(f => f.ServiceBusBindings);

    private static IReadOnlyDictionary<string, ArmResource> Queues => CompiledInfra.Deployment.Queues();

    [Fact]
    public void TheAppsFunctionManifestsAreFound()
    {
        // Guards the tests below: with no function.json they would compare empty sets.
        Assert.NotEmpty(AppContract.Functions);
        Assert.Contains(ServiceBusBindings, b => b.Type == "serviceBusTrigger");
        Assert.Contains(ServiceBusBindings, b => b.Direction == "out");
    }

    [Fact]
    public void InfraCreatesExactlyTheQueuesTheFunctionsUse()
    {
        var used = ServiceBusBindings.Select(QueueOf).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(used.Order(StringComparer.Ordinal), Queues.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryServiceBusBindingConnectsByIdentityThroughASettingInfraWrites()
    {
        var deployment = CompiledInfra.Deployment;
        var settings = deployment.AppSettings();
        var ns = deployment.Single("Microsoft.ServiceBus/namespaces");
        foreach (var connection in ServiceBusBindings.Select(b => b.Connection).Distinct())
        {
            Assert.NotNull(connection);
            Assert.Equal($"{ns.Name}.servicebus.windows.net", settings[connection + "__fullyQualifiedNamespace"]);
            Assert.Equal("managedidentity", settings[connection + "__credential"]);
            Assert.Equal(deployment.AppClientId(), settings[connection + "__clientId"]);
            Assert.DoesNotContain(connection, settings.Keys);
        }
    }

    [Fact]
    public void QueuesDeadLetterExpiredMessagesAndGiveUpAfterFewDeliveries()
    {
        foreach (var (name, queue) in Queues)
        {
            Assert.True(queue.Get("properties.deadLetteringOnMessageExpiration") is true, name);
            // Redelivery means the handler crashed (every handled outcome answers 200): few tries, then dead letter.
            Assert.InRange((long)queue.Get("properties.maxDeliveryCount")!, 1, 5);
            Assert.InRange(Duration(queue, "defaultMessageTimeToLive"), TimeSpan.FromHours(1), TimeSpan.FromDays(14));
        }
    }

    [Fact]
    public void EventQueuesDropAProducersDuplicatesWithinTenMinutes()
    {
        foreach (var (name, queue) in Queues.Where(q => q.Key != "rejected-events"))
        {
            Assert.True(queue.Get("properties.requiresDuplicateDetection") is true, name);
            Assert.Equal(TimeSpan.FromMinutes(10), Duration(queue, "duplicateDetectionHistoryTimeWindow"));
        }
    }

    [Fact]
    public void TimeToLiveParametersReachTheQueues()
    {
        var queues = CompiledInfra.Deploy(("eventTimeToLive", "PT6H"), ("rejectedTimeToLive", "P7D")).Queues();

        Assert.Equal("PT6H", queues["pullrequest-events"].GetText("properties.defaultMessageTimeToLive"));
        Assert.Equal("P7D", queues["rejected-events"].GetText("properties.defaultMessageTimeToLive"));
    }

    [Fact]
    public void TheMessageLockOutlastsAnSmtpConnectAndACommand()
    {
        // A lock shorter than one SMTP attempt lets Service Bus hand the message to another instance while
        // the first still sends it: a duplicate email. The timeouts are the template's (= the app's) defaults.
        var settings = CompiledInfra.Defaults.AppSettings();
        var connect = TimeSpan.Parse(settings["Mail__ConnectTimeout"], CultureInfo.InvariantCulture);
        var command = TimeSpan.Parse(settings["Mail__CommandTimeout"], CultureInfo.InvariantCulture);

        foreach (var (name, queue) in Queues)
        {
            var lockDuration = Duration(queue, "lockDuration");
            Assert.True(lockDuration > connect + command, $"{name}: lock {lockDuration} does not outlast connect {connect} + command {command}");
            Assert.True(lockDuration <= TimeSpan.FromMinutes(5), $"{name}: Service Bus allows at most 5 minutes, not {lockDuration}");
        }
    }

    [Fact]
    public void TheHostKeepsRenewingTheLockForAsLongAsAnInvocationMayRun()
    {
        // The queue's lock (at most 5 minutes) is renewed by the host up to maxAutoLockRenewalDuration; if an
        // invocation may run longer than that, its message can be redelivered mid-send: a duplicate email.
        using var host = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryLayout.HostFile));
        var root = host.RootElement;
        var functionTimeout = TimeSpan.Parse(root.GetProperty("functionTimeout").GetString()!, CultureInfo.InvariantCulture);
        var serviceBus = root.GetProperty("extensions").GetProperty("serviceBus");
        var renewal = serviceBus.TryGetProperty("maxAutoLockRenewalDuration", out var value)
            ? TimeSpan.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : TimeSpan.FromMinutes(5);

        foreach (var (name, queue) in Queues)
        {
            var lockDuration = Duration(queue, "lockDuration");
            Assert.True(TimeSpan.FromTicks(Math.Max(renewal.Ticks, lockDuration.Ticks)) >= functionTimeout,
                $"{name}: an invocation may run {functionTimeout}, but the lock ({lockDuration}) is renewed only up to {renewal}");
        }
    }

    private static string QueueOf(FunctionBinding binding)
    {
        // Literal names only: a %setting% indirection would hide the name from this check.
        Assert.False(string.IsNullOrEmpty(binding.QueueName), $"binding '{binding.Name}' names no queue");
        Assert.DoesNotContain("%", binding.QueueName, StringComparison.Ordinal);
        return binding.QueueName!;
    }

    private static TimeSpan Duration(ArmResource queue, string property) =>
        XmlConvert.ToTimeSpan(queue.GetText("properties." + property) ?? throw new InvalidOperationException($"{queue} has no {property}"));
}
