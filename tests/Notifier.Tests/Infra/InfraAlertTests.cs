using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Notifier.Notifications.Delivery;

namespace Notifier.Tests.Infra;

/// <summary>
/// The alerts infra/ creates, read from the compiled template: what each watches (the app's own metric names,
/// the queues, the functions no caller waits on), its threshold and window, where it sends, and that its
/// description sends the administrator to a section of docs/operations.md that exists.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class InfraAlertTests
{
    private const string Email = "ops@example.com";

    private static readonly ArmDeployment Deployment = CompiledInfra.Deploy(("alertEmail", Email));

    private static readonly string OperationsGuide = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "docs", "operations.md"));

    [Fact]
    public void AnEventOrDigestDroppedWithinFifteenMinutesFiresASevereAlertOnTheAppsOwnCounters()
    {
        var (counters, dropped) = DropCounters();
        var alert = Deployment.LogAlertOn("customMetrics", $"\"{dropped}\"");
        var criterion = Assert.Single(alert.Criteria());
        var query = (string)criterion["query"]!;

        Assert.All(counters, name => Assert.Contains($"\"{name}\"", query, StringComparison.Ordinal));
        Assert.Contains("customDimensions.outcome", query, StringComparison.Ordinal);
        Assert.Contains("sum(valueSum)", query, StringComparison.Ordinal);
        AssertFiresAboveZero(criterion);
        Assert.Equal("Total", criterion["timeAggregation"]);
        Assert.Equal(MeasureColumn(query), criterion["metricMeasureColumn"]);
        Assert.Equal(("PT15M", "PT5M"), Window(alert));
        Assert.Equal(1L, alert.Get("properties.severity"));
        Assert.Equal([ApplicationInsightsId()], Scopes(alert));
        Assert.Contains("Drops by reason", alert.GetText("properties.description"), StringComparison.Ordinal);
    }

    [Fact]
    public void AMessageInRejectedEventsFiresAWarningThatPointsAtTheEnvelopesReason()
    {
        var alert = Deployment.MetricAlertOn("ActiveMessages");
        var criterion = Assert.Single(alert.Criteria());

        Assert.Equal(["rejected-events"], EntityNames(criterion));
        Assert.Contains("rejected-events", Deployment.Queues().Keys);
        AssertFiresAboveZero(criterion);
        Assert.Equal("Maximum", criterion["timeAggregation"]);
        Assert.Equal(2L, alert.Get("properties.severity"));
        Assert.Equal([ServiceBusNamespaceId()], Scopes(alert));
        var description = alert.GetText("properties.description")!;
        Assert.Contains("Service Bus Explorer", description, StringComparison.Ordinal);
        Assert.Contains("\"reason\"", description, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeadLetteredMessageOnAnyQueueFiresASevereAlertPerQueue()
    {
        var alert = Deployment.MetricAlertOn("DeadletteredMessages");
        var criterion = Assert.Single(alert.Criteria());

        Assert.Equal(["*"], EntityNames(criterion));
        Assert.Equal("Microsoft.ServiceBus/namespaces", criterion["metricNamespace"]);
        AssertFiresAboveZero(criterion);
        Assert.Equal(1L, alert.Get("properties.severity"));
        Assert.Equal([ServiceBusNamespaceId()], Scopes(alert));
        var description = alert.GetText("properties.description")!;
        Assert.Contains("DeadLetterReason", description, StringComparison.Ordinal);
        Assert.Contains("MaxDeliveryCountExceeded", description, StringComparison.Ordinal);
        Assert.Contains("TTLExpiredException", description, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedInvocationsOfEveryFunctionNoCallerWaitsOnFireASevereAlertPerFunction()
    {
        var alert = Deployment.LogAlertOn("requests", "success == false");
        var criterion = Assert.Single(alert.Criteria());
        var query = (string)criterion["query"]!;
        var unattended = AppContract.Functions.Where(f => !f.Bindings.Any(b => b.Type == "httpTrigger")).Select(f => f.Name);

        var named = FunctionList().Match(query).Groups["names"].Value.Split(',').Select(n => n.Trim().Trim('"'));
        Assert.Equal(unattended.Order(StringComparer.Ordinal), named.Order(StringComparer.Ordinal));
        Assert.Contains("FlushBatches", named);
        AssertFiresAboveZero(criterion);
        Assert.Equal(MeasureColumn(query), criterion["metricMeasureColumn"]);
        // One alert per function: split on the column the query names after the function.
        var dimension = (Dictionary<string, object?>)Assert.Single((List<object?>)criterion["dimensions"]!)!;
        Assert.Contains($"by {dimension["name"]} = operation_Name", query, StringComparison.Ordinal);
        Assert.Equal(("Include", "*"), ((string)dimension["operator"]!, (string)Assert.Single((List<object?>)dimension["values"]!)!));
        Assert.Equal(("PT15M", "PT5M"), Window(alert));
        Assert.Equal(1L, alert.Get("properties.severity"));
        Assert.Equal([ApplicationInsightsId()], Scopes(alert));
    }

    [Fact]
    public void EveryAlertIsEnabledAndItsDescriptionNamesASectionOfTheOperationsGuide()
    {
        var alerts = Deployment.Alerts();
        var headings = Heading().Matches(OperationsGuide).Select(m => m.Groups["title"].Value.Trim()).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(4, alerts.Count);
        Assert.All(alerts, alert =>
        {
            Assert.Equal(true, alert.Get("properties.enabled"));
            var description = alert.GetText("properties.description") ?? string.Empty;
            var sections = GuideSection().Matches(description).Select(m => m.Groups["section"].Value).ToList();
            Assert.True(sections.Count > 0, $"{alert} does not send the administrator to a section of docs/operations.md: {description}");
            Assert.All(sections, section => Assert.Contains(section, headings));
        });
    }

    [Fact]
    public void EveryAlertMailsTheAddressThroughOneActionGroup()
    {
        var group = Deployment.Single(InfraViews.ActionGroupType);
        var receiver = Assert.Single((List<object?>)group.Get("properties.emailReceivers")!);

        Assert.Equal(Email, ((Dictionary<string, object?>)receiver!)["emailAddress"]);
        Assert.Equal(true, group.Get("properties.enabled"));
        Assert.InRange(group.GetText("properties.groupShortName")!.Length, 1, 12);
        Assert.All(Deployment.Alerts(), alert => Assert.Equal([group.Id], alert.ActionGroupIds()));
    }

    [Fact]
    public void WithoutAnAddressTheAlertsStillExistButNotifyNobody()
    {
        var deployment = CompiledInfra.Deployment;

        Assert.False(CompiledInfra.ParametersFile.ContainsKey("alertEmail"));
        Assert.Empty(deployment.OfType(InfraViews.ActionGroupType));
        Assert.Equal(4, deployment.Alerts().Count);
        Assert.All(deployment.Alerts(), alert => Assert.Empty(alert.ActionGroupIds()));
    }

    /// <summary>The app's counters that count drops, and the outcome value they carry then, read from the app itself.</summary>
    private static (IReadOnlyList<string> Counters, string Dropped) DropCounters()
    {
        // Only this meter's instruments: other tests count events on meters of the same name meanwhile.
        using var factory = new OwnMeterFactory();
        var counted = new List<(string Instrument, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    counted.Add((instrument.Name, tag.Value as string));
                }
            }
        });
        listener.Start();
        using (var metrics = new DeliveryMetrics(factory))
        {
            metrics.EventHandled(DeliveryOutcome.Dropped, "pullrequest.commented");
            metrics.DigestFlushed(DeliveryOutcome.Dropped);
        }

        var dropped = Assert.Single(counted.Select(c => c.Outcome).Distinct());
        return ([.. counted.Select(c => c.Instrument).Distinct()], dropped!);
    }

    private static void AssertFiresAboveZero(Dictionary<string, object?> criterion)
    {
        Assert.Equal("GreaterThan", criterion["operator"]);
        Assert.Equal(0L, criterion["threshold"]);
    }

    private static (string? Window, string? Frequency) Window(ArmResource alert) =>
        (alert.GetText("properties.windowSize"), alert.GetText("properties.evaluationFrequency"));

    private static List<string> Scopes(ArmResource alert) => [.. ((List<object?>)alert.Get("properties.scopes")!).Select(ArmValues.ToText)];

    private static List<string> EntityNames(Dictionary<string, object?> criterion)
    {
        var dimension = (Dictionary<string, object?>)Assert.Single((List<object?>)criterion["dimensions"]!)!;
        Assert.Equal(("EntityName", "Include"), ((string)dimension["name"]!, (string)dimension["operator"]!));
        return [.. ((List<object?>)dimension["values"]!).Select(ArmValues.ToText)];
    }

    private static string MeasureColumn(string query) => SummarizedColumn().Match(query).Groups["column"].Value;

    private static string ApplicationInsightsId() => Deployment.Single("Microsoft.Insights/components").Id;

    private static string ServiceBusNamespaceId() => Deployment.Single("Microsoft.ServiceBus/namespaces").Id;

    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    [GeneratedRegex(@"operation_Name in \((?<names>[^)]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionList();

    [GeneratedRegex(@"summarize (?<column>\w+) =", RegexOptions.CultureInvariant)]
    private static partial Regex SummarizedColumn();

    [GeneratedRegex(@"docs/operations\.md, ""(?<section>[^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex GuideSection();

    [GeneratedRegex(@"^#{2,4} (?<title>.+)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Heading();
}
