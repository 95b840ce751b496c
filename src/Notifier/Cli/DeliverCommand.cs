using System.CommandLine;
using Notifier.Functions;
using Notifier.Notifications.Delivery;
using Notifier.Notifications.Events;
using Notifier.Settings;
using Spectre.Console;

namespace Notifier.Cli;

/// <summary>
/// <c>notifier deliver PATH...</c>: events from files, folders or standard input through the same pipeline
/// as the queue functions. Prints a line per event that was not delivered and
/// <c>delivered N, dropped N, rejected N</c> (and <c>batched N</c> when events wait in digests); exit 0 when all were delivered or batched, 1 otherwise, 2 for bad usage.
/// </summary>
internal static class DeliverCommand
{
    /// <summary>Runs with a progress bar from this many events on, when the output is a terminal.</summary>
    private const int ProgressThreshold = 20;

    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "Event files (.json: one event; .jsonl: JSON Lines), folders of them, or - for standard input (JSON Lines or JSON documents)" };
        var queue = new Option<string?>("--queue") { Description = "Accept only the events this queue's function accepts (pullrequest-events, repository-events, account-events)" };
        var command = new Command("deliver", "Process events exactly as the queue functions do; writes .eml files to Mail__OutboxDirectory when Mail__Host is empty") { paths, queue };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetRequiredValue(paths), parse.GetValue(queue), Console.In, Console.Out, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(string[] paths, string? queue, TextReader stdin, TextWriter stdout, CancellationToken cancellationToken)
    {
        EventCategory? category = null;
        if (queue is not null)
        {
            if (FunctionCatalog.QueueFunctions.FirstOrDefault(f => f.Queue == queue) is not { } function)
            {
                await Console.Error.WriteLineAsync($"--queue '{queue}' is not one of: {string.Join(", ", FunctionCatalog.QueueFunctions.Select(f => f.Queue))}");
                return ExitCodes.Usage;
            }

            category = function.Category;
        }

        return await CliServices.RunWithEventsAsync(paths, stdin, stdout, (services, items) => DeliverAsync(services, items, category, stdout, cancellationToken), cancellationToken);
    }

    private static async Task<int> DeliverAsync(IServiceProvider services, IReadOnlyList<EventSource.Item> items, EventCategory? category, TextWriter stdout, CancellationToken cancellationToken)
    {
        var settings = services.GetRequiredService<NotifierSettings>();
        var pipeline = services.GetRequiredService<DeliveryPipeline>();
        if (!string.IsNullOrWhiteSpace(settings.Mail.Host))
        {
            // Said before the first connection, which can take up to Mail__ConnectTimeout to fail.
            await stdout.WriteLineAsync($"connecting to {settings.Mail.Host}:{settings.Mail.EffectivePort}…");
        }

        var counts = new int[Enum.GetValues<DeliveryOutcome>().Length];
        var results = new DeliveryResult?[items.Count];

        async Task DeliverAllAsync(Action<int>? advance)
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Mail.MaxConnections), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(items, parallel, async (item, ct) =>
            {
                var result = await pipeline.DeliverAsync(item.Body, eventKey: null, category, ct);
                results[item.Index] = result;
                Interlocked.Increment(ref counts[(int)result.Outcome]);
                advance?.Invoke(1);
            });
        }

        if (ShowsProgress(!Console.IsOutputRedirected && stdout == Console.Out, items.Count))
        {
            // Spectre counts a console with redirected input as not interactive and would then hide the bar;
            // the events may come from standard input while the output is still a terminal.
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(Console.Out) });
            await console.Progress().AutoClear(true).StartAsync(async context =>
            {
                var task = context.AddTask("delivering", maxValue: items.Count);
                await DeliverAllAsync(n => task.Increment(n));
            });
        }
        else
        {
            await DeliverAllAsync(null);
        }

        // In input order, so a reader can match each line to the event that caused it.
        foreach (var item in items)
        {
            if (results[item.Index] is { Outcome: not (DeliveryOutcome.Delivered or DeliveryOutcome.Batched) } result)
            {
                await stdout.WriteLineAsync($"{item.Origin}: {result}");
            }
        }

        var batched = counts[(int)DeliveryOutcome.Batched];
        await stdout.WriteLineAsync($"delivered {counts[(int)DeliveryOutcome.Delivered]}, dropped {counts[(int)DeliveryOutcome.Dropped]}, rejected {counts[(int)DeliveryOutcome.Rejected]}"
            + (batched > 0 ? $", batched {batched} (waiting in digests; `notifier flush --all` sends them now)" : string.Empty));
        if (string.IsNullOrWhiteSpace(settings.Mail.Host) && counts[(int)DeliveryOutcome.Delivered] > 0)
        {
            await stdout.WriteLineAsync($"Mail__Host is empty: nothing was sent; the emails were written to {Path.GetFullPath(settings.Mail.OutboxDirectory)}");
        }

        return counts[(int)DeliveryOutcome.Delivered] + batched == counts.Sum() ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// A progress bar only on a terminal (redirected output stays free of escape codes) and only for enough
    /// events to be worth one, whether they come from files or standard input.
    /// </summary>
    internal static bool ShowsProgress(bool outputIsTerminal, int eventCount) => outputIsTerminal && eventCount >= ProgressThreshold;
}
