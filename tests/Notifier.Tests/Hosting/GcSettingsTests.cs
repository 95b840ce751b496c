using System.Text.Json;

namespace Notifier.Tests.Hosting;

/// <summary>The GC the handler runs with, as the runtime reads it: the built app's <c>notifier.runtimeconfig.json</c>.</summary>
public sealed class GcSettingsTests
{
    [Fact]
    public void TheHandlerUsesWorkstationNonConcurrentGcThatConservesMemory()
    {
        // The app's build output is copied beside the tests (the end-to-end tests run `dotnet notifier.dll` from here).
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "notifier.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal("5", properties.GetProperty("System.GC.ConserveMemory").ToString());
    }
}
