using Azure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notifier.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Notifier.Tests.Telemetry;

/// <summary>What <c>notifier serve</c> registers for telemetry, from the two Application Insights settings.</summary>
public sealed class TelemetrySetupTests
{
    [Fact]
    public async Task WithoutAConnectionStringNothingIsRegistered()
    {
        await using var app = Build([]);

        Assert.False(app.Services.GetRequiredService<TelemetryStatus>().Enabled);
        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task WithAConnectionStringMetricsAndTracesAreExported()
    {
        await using var app = Build(new() { ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/" });

        Assert.True(app.Services.GetRequiredService<TelemetryStatus>().Enabled);
        Assert.NotNull(app.Services.GetService<MeterProvider>());
        Assert.NotNull(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void AadAuthenticationSignsInWithTheUserAssignedIdentityItNames()
    {
        var status = TelemetrySetup.Read(Configuration(new()
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000001",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD",
        }));

        Assert.IsType<ManagedIdentityCredential>(status.Credential);
        Assert.Equal("the managed identity 11111111-2222-3333-4444-555555555555", status.SignsInWith);
    }

    [Fact]
    public void WithoutAadTheConnectionStringAloneIsUsed()
    {
        var status = TelemetrySetup.Read(Configuration(new() { ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000001" }));

        Assert.True(status.Enabled);
        Assert.Null(status.Credential);
    }

    [Fact]
    public void AConnectionStringWithoutAKeyIsRefusedWithTheFixNotACrash()
    {
        var status = TelemetrySetup.Read(Configuration(new() { ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "IngestionEndpoint=https://example.test/" }));

        Assert.False(status.Enabled);
        Assert.Contains("InstrumentationKey", status.Problem, StringComparison.Ordinal);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddNotifierTelemetry();
        return builder.Build();
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
