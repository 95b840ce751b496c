using Microsoft.Extensions.Logging.Console;
using Notifier.Hosting;
using Notifier.Notifications.Delivery;
using Notifier.Settings;

namespace Notifier.Cli;

/// <summary>
/// The services the commands share with the handler, configured from <c>local.settings.json</c> in the current
/// folder (its <c>Values</c>, as the Functions tools read it) and the environment (<c>Mail__Host</c> and so on),
/// the environment winning. Warnings and errors are logged to standard error so standard output stays the
/// command's own.
/// </summary>
internal static class CliServices
{
    public static ServiceProvider Create(LogLevel minimumLevel = LogLevel.Warning)
    {
        var local = LocalSettingsFile.Read(Directory.GetCurrentDirectory(), out var localProblem);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(local).AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(new LocalSettingsProblem(localProblem));
        // The commands print each outcome themselves; the pipeline's own outcome lines would repeat them.
        services.AddLogging(logging => logging
            .SetMinimumLevel(minimumLevel)
            .AddFilter(typeof(DeliveryPipeline).FullName, LogLevel.None)
            .AddSimpleConsole(o => o.SingleLine = true));
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddNotifier();
        return services.BuildServiceProvider();
    }

    /// <summary>Prints every settings problem to standard error; returns false when there are any.</summary>
    public static bool CheckSettings(IServiceProvider services)
    {
        if (services.GetRequiredService<LocalSettingsProblem>().Problem is { } local)
        {
            Console.Error.WriteLine(local);
            return false;
        }

        var settings = services.GetRequiredService<NotifierSettings>();
        if (!settings.IsValid)
        {
            Console.Error.WriteLine(settings.Describe("change these and run the command again"));
        }

        return settings.IsValid;
    }

    /// <summary>Why local.settings.json could not be used; null when it was read or is absent.</summary>
    private sealed record LocalSettingsProblem(string? Problem);
}
