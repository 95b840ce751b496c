using Microsoft.Extensions.Logging.Console;
using Notifier.Hosting;
using Notifier.Notifications.Delivery;
using Notifier.Settings;

namespace Notifier.Cli;

/// <summary>
/// The services the commands share with the handler, configured from the environment (<c>Mail__Host</c> and
/// so on), with warnings and errors logged to standard error so standard output stays the command's own.
/// </summary>
internal static class CliServices
{
    public static ServiceProvider Create(LogLevel minimumLevel = LogLevel.Warning)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
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
        var settings = services.GetRequiredService<NotifierSettings>();
        if (!settings.IsValid)
        {
            Console.Error.WriteLine(settings.Describe());
        }

        return settings.IsValid;
    }
}
