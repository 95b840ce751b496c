using System.Globalization;
using System.Xml;

namespace Notifier.Tests.Infra;

/// <summary>The queues infra creates against the queues the app's function.json files bind to.</summary>
public sealed class InfraQueueTests
{
    private static IEnumerable<FunctionBinding> ServiceBusBindings =>
        AppContract.Functions.SelectMany(f => f.ServiceBusBindings);

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
        var created = InfraTemplate.Queues.Values.ToHashSet(StringComparer.Ordinal);

        Assert.Equal(used.Order(StringComparer.Ordinal), created.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryServiceBusBindingConnectsByIdentityThroughASettingInfraWrites()
    {
        foreach (var connection in ServiceBusBindings.Select(b => b.Connection).Distinct())
        {
            Assert.NotNull(connection);
            Assert.Equal("serviceBusFullyQualifiedNamespace", InfraTemplate.AppSettings[connection + "__fullyQualifiedNamespace"].Expression);
            Assert.Equal("managedidentity", InfraTemplate.AppSettings[connection + "__credential"].StringLiteral);
            Assert.Equal("identityClientId", InfraTemplate.AppSettings[connection + "__clientId"].Expression);
            Assert.DoesNotContain(connection, InfraTemplate.AppSettings.Keys);
        }
    }

    [Fact]
    public void QueuesDeadLetterExpiredMessagesAndGiveUpAfterFewDeliveries()
    {
        foreach (var queue in InfraTemplate.Queues.Keys)
        {
            var properties = QueueProperties(queue);
            Assert.Equal("true", properties["deadLetteringOnMessageExpiration"]);
            // Redelivery means the handler crashed (every handled outcome answers 200): few tries, then dead letter.
            Assert.InRange(long.Parse(properties["maxDeliveryCount"], CultureInfo.InvariantCulture), 1, 5);
            Assert.InRange(Duration(properties["defaultMessageTimeToLive"]), TimeSpan.FromHours(1), TimeSpan.FromDays(14));
        }
    }

    [Fact]
    public void TheMessageLockOutlastsAnSmtpConnectAndACommand()
    {
        // A lock shorter than one SMTP attempt lets Service Bus hand the message to another instance while
        // the first still sends it: a duplicate email. The timeouts are the template's (= the app's) defaults.
        var connect = TimeSpan.Parse(InfraTemplate.DefaultBehind("Mail__ConnectTimeout").StringLiteral!, CultureInfo.InvariantCulture);
        var command = TimeSpan.Parse(InfraTemplate.DefaultBehind("Mail__CommandTimeout").StringLiteral!, CultureInfo.InvariantCulture);

        foreach (var queue in InfraTemplate.Queues.Keys)
        {
            var lockDuration = Duration(QueueProperties(queue)["lockDuration"]);
            Assert.True(lockDuration > connect + command, $"{queue}: lock {lockDuration} does not outlast connect {connect} + command {command}");
            Assert.True(lockDuration <= TimeSpan.FromMinutes(5), $"{queue}: Service Bus allows at most 5 minutes, not {lockDuration}");
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

        foreach (var queue in InfraTemplate.Queues.Keys)
        {
            var lockDuration = Duration(QueueProperties(queue)["lockDuration"]);
            Assert.True(TimeSpan.FromTicks(Math.Max(renewal.Ticks, lockDuration.Ticks)) >= functionTimeout,
                $"{queue}: an invocation may run {functionTimeout}, but the lock ({lockDuration}) is renewed only up to {renewal}");
        }
    }

    private static string QueueOf(FunctionBinding binding)
    {
        // Literal names only: a %setting% indirection would hide the name from this check.
        Assert.False(string.IsNullOrEmpty(binding.QueueName), $"binding '{binding.Name}' names no queue");
        Assert.DoesNotContain("%", binding.QueueName, StringComparison.Ordinal);
        return binding.QueueName!;
    }

    /// <summary>A queue's effective properties: the shared object, then any overrides merged over it.</summary>
    private static Dictionary<string, string> QueueProperties(string symbol)
    {
        var body = InfraTemplate.ServiceBus.Resource(symbol)!.Body.Property("properties")!;
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        var parts = body.CallArguments("union") ?? [body.Expression];
        foreach (var part in parts)
        {
            var span = part.StartsWith('{')
                ? BicepFile.Parse("var v = " + part + "\n").Variable("v")!.Value
                : InfraTemplate.ServiceBus.Variable(part)!.Value;
            foreach (var property in span.ObjectProperties())
            {
                merged[property.Key] = Resolve(property.Value);
            }
        }

        return merged;
    }

    /// <summary>A literal as text, or the default of the module parameter it names (e.g. a TTL from main.bicep).</summary>
    private static string Resolve(BicepSpan value)
    {
        if (value.StringLiteral is { } literal)
        {
            return literal;
        }

        var expression = value.Expression;
        if (InfraTemplate.ServiceBus.Parameter(expression) is not null)
        {
            var passed = InfraTemplate.Main.Modules.Single(m => m.Path.EndsWith("servicebus.bicep", StringComparison.Ordinal))
                .PassedParameters.Single(p => p.Key == expression).Value.Expression;
            return InfraTemplate.Main.Parameter(passed)!.Default!.StringLiteral!;
        }

        return expression;
    }

    private static TimeSpan Duration(string iso8601) => XmlConvert.ToTimeSpan(iso8601);
}
