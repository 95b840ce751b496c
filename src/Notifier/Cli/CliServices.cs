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
    private static ServiceProvider Create(LogLevel minimumLevel = LogLevel.Warning)
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

    /// <summary>
    /// The start of every command that reads events from <paramref name="paths"/> (<c>deliver</c>, <c>render</c>):
    /// the services, checked, and the events, read; then <paramref name="run"/>. Exit 2, once the reason is on
    /// standard error, when a path does not exist or the settings are unusable; 1 when no events were found.
    /// </summary>
    public static async Task<int> RunWithEventsAsync(
        string[] paths,
        TextReader stdin,
        TextWriter stdout,
        Func<ServiceProvider, IReadOnlyList<EventSource.Item>, Task<int>> run,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (EventSource.FindMissing(paths) is { } missing)
        {
            await Console.Error.WriteLineAsync(missing);
            return ExitCodes.Usage;
        }

        return await RunAsync(async services =>
        {
            var items = await EventSource.ReadAllAsync(EventSource.ExpandFiles(paths), stdin, cancellationToken);
            if (items.Count == 0)
            {
                await stdout.WriteLineAsync($"no events found in {string.Join(", ", paths)} (folders are searched for {EventSource.FolderPatterns} files; standard input for JSON)");
                return ExitCodes.Failure;
            }

            return await run(services, items);
        });
    }

    /// <summary>
    /// The start of every command that uses the settings: the services, built here only, then <paramref name="run"/>
    /// with them, or exit 2 once every settings problem is on standard error.
    /// </summary>
    public static async Task<int> RunAsync(Func<ServiceProvider, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var services = Create();
        return CheckSettings(services) ? await run(services) : ExitCodes.Usage;
    }

    /// <summary>Prints every settings problem to standard error; returns false when there are any.</summary>
    private static bool CheckSettings(IServiceProvider services)
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
