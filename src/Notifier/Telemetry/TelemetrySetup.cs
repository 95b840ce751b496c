using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Notifier.Notifications.Delivery;
using OpenTelemetry.Resources;

namespace Notifier.Telemetry;

/// <summary>
/// Export to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set: the <c>Notifier</c>
/// meter, the logs (event ids, the Service Bus message id) and one internal span per invocation. Without
/// the setting nothing is registered: no provider, no listener, no exporter thread.
/// The host records each invocation as a request already, so the handler adds no request telemetry.
/// </summary>
internal static class TelemetrySetup
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static TelemetryStatus AddNotifierTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var status = Read(builder.Configuration);
        builder.Services.AddSingleton(status);
        if (!status.Enabled)
        {
            return status;
        }

        var credential = status.Credential;
        void Configure(AzureMonitorExporterOptions options)
        {
            options.ConnectionString = status.ConnectionString;
            // Every invocation is one trace and every drop matters: no rate limit, no sampling (a rate-limited
            // trace would also take its logs with it, the trace-based log sampler drops them).
            options.TracesPerSecond = null;
            options.SamplingRatio = 1.0F;
            // Only what the connection string names is contacted: no Live Metrics stream.
            options.EnableLiveMetrics = false;
            if (credential is not null)
            {
                options.Credential = credential;
            }
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["WEBSITE_SITE_NAME"] is { Length: > 0 } site ? site : "notifier"))
            .WithMetrics(metrics => metrics.AddMeter(DeliveryMetrics.MeterName).AddAzureMonitorMetricExporter(Configure))
            .WithTracing(tracing => tracing.AddSource(InvocationTelemetry.SourceName).AddAzureMonitorTraceExporter(Configure));
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            // The invocation's scope carries the function name and the Service Bus message id.
            logging.IncludeScopes = true;
            logging.AddProcessor(new LogAttributeNames());
            logging.AddAzureMonitorLogExporter(Configure);
        });
        return status;
    }

    /// <summary>What the settings ask for; a connection string without an instrumentation key is refused, not fatal.</summary>
    public static TelemetryStatus Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return TelemetryStatus.Off;
        }

        var parts = Parse(connectionString);
        if (!parts.TryGetValue("InstrumentationKey", out var key) || string.IsNullOrWhiteSpace(key))
        {
            return TelemetryStatus.Off with
            {
                Problem = $"{ConnectionStringSetting} has no InstrumentationKey: copy the connection string from the Application Insights resource's overview; nothing is exported",
            };
        }

        var authentication = Parse(configuration[AuthenticationSetting] ?? string.Empty);
        if (authentication.TryGetValue("Authorization", out var authorization) && string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            var clientId = authentication.GetValueOrDefault("ClientId") is { Length: > 0 } id ? id : configuration["AZURE_CLIENT_ID"];
            TokenCredential credential = string.IsNullOrEmpty(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            return new TelemetryStatus(true, connectionString, credential,
                string.IsNullOrEmpty(clientId) ? "the system-assigned managed identity" : $"the managed identity {clientId}", null);
        }

        return new TelemetryStatus(true, connectionString, null, "the connection string's key", null);
    }

    private static Dictionary<string, string> Parse(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
}
