using System.Net;
using System.Text.Json;
using Notifier.Tests.Support;

namespace Notifier.Tests.Telemetry;

/// <summary>
/// <c>notifier serve</c> as a real process exporting to a real loopback HTTP server that plays Application
/// Insights' ingestion endpoint: after one host-shaped invocation and a SIGTERM, the endpoint holds the
/// <c>notifier.events</c> count, the outcome log with its event id and Service Bus message id, and the
/// invocation's span, and no request telemetry (the host records requests itself).
/// </summary>
[Trait("Category", "Integration")]
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task AfterAnInvocationAndASigtermTheIngestionEndpointHoldsTheCountTheLogAndTheSpan()
    {
        using var ingestion = new IngestionEndpoint();
        var environment = new Dictionary<string, string?>
        {
            ["Notifications__BaseUrl"] = "https://git.example.com/",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ingestion.ConnectionString,
            // The exporter's own usage statistics would go to a Microsoft endpoint; this test talks to loopback only.
            ["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true",
        };
        var (process, client) = await NotifierProcess.ServeAsync(environment);
        await using var _ = process;
        using var __ = client;

        var answer = await InvocationAnswer.PostAsync(client, "/PullRequestEvents", HostInvocation.ServiceBus(Repo.Sample("pullrequest.opened"), "telemetry-1", HostEncoding.Binary));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("delivered", answer.Outcome);

        // Metrics are exported once a minute; only the flush of a graceful stop gets this count out now.
        Assert.Equal(0, await process.TerminateAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("/v2.1/track", ingestion.Paths);
        var events = ingestion.OfType("MetricData")
            .SelectMany(m => m.GetProperty("metrics").EnumerateArray().Select(metric => (Metric: metric, Properties: m.TryGetProperty("properties", out var p) ? p : default)))
            .Where(x => x.Metric.GetProperty("name").GetString() == "notifier.events")
            .ToList();
        var delivered = Assert.Single(events);
        Assert.Equal(1, delivered.Metric.GetProperty("value").GetDouble());
        Assert.Equal("delivered", delivered.Properties.GetProperty("outcome").GetString());
        Assert.Equal("pullrequest.opened", delivered.Properties.GetProperty("type").GetString());

        var outcomeLog = Assert.Single(ingestion.OfType("MessageData"), m => Property(m, "EventId") == "1000");
        Assert.Equal("telemetry-1", Property(outcomeLog, "ServiceBusMessageId"));
        Assert.Equal("evt-2026-11-21-pullrequest-opened-1001", Property(outcomeLog, "NotificationEventId"));
        Assert.Equal("PullRequestEvents", Property(outcomeLog, "FunctionName"));
        Assert.Contains(ingestion.OfType("MessageData"), m => Property(m, "EventId") == "3100");

        var span = Assert.Single(ingestion.OfType("RemoteDependencyData"), d => d.GetProperty("name").GetString() == "PullRequestEvents");
        Assert.Equal("InProc", span.GetProperty("type").GetString());
        Assert.Equal("telemetry-1", span.GetProperty("properties").GetProperty("messaging.message.id").GetString());
        Assert.Empty(ingestion.OfType("RequestData"));
    }

    private static string? Property(JsonElement data, string name) =>
        data.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out var value) ? value.GetString() : null;
}
