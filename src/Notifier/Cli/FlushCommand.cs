using System.CommandLine;
using Notifier.Storage;

namespace Notifier.Cli;

/// <summary>
/// <c>notifier flush [--all]</c>: what the FlushBatches timer does, from the command line: sends the digests
/// that are due (all waiting digests with <c>--all</c>) from the storage account in <c>AzureWebJobsStorage</c>.
/// Prints <c>flushed N digest(s) with N update(s): N sent, N dropped</c>; exit 0 when none was dropped, 1
/// otherwise, 2 for bad settings or no storage.
/// </summary>
internal static class FlushCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Send every waiting digest now, due or not" };
        var command = new Command("flush", "Send the digests that are due, as the FlushBatches timer does (AzureWebJobsStorage names the storage account)") { all };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(all), Console.Out, cancellationToken));
        return command;
    }

    internal static Task<int> RunAsync(bool all, TextWriter stdout, CancellationToken cancellationToken) =>
        CliServices.RunAsync(services => FlushAsync(services, all, stdout, cancellationToken));

    private static async Task<int> FlushAsync(IServiceProvider services, bool all, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<Digests>().Flusher is not { } flusher)
        {
            await Console.Error.WriteLineAsync("AzureWebJobsStorage is not set: set it to the storage account that holds the digests (UseDevelopmentStorage=true for Azurite).");
            return ExitCodes.Usage;
        }

        var result = await flusher.FlushAsync(all, cancellationToken);
        await stdout.WriteLineAsync(result.ToString());
        return result.Dropped == 0 && result.Error is null ? ExitCodes.Success : ExitCodes.Failure;
    }
}
