using System.CommandLine;
using System.Text;
using Notifier.Notifications.Delivery;
using Notifier.Smtp.Messages;

namespace Notifier.Cli;

/// <summary>
/// <c>notifier render PATH... --out DIR</c>: writes the email each recipient would get (.eml) and an .html
/// preview, without sending. Exit 0, or 1 when any event was rejected (each with its reason).
/// </summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "Event files (.json: one event; .jsonl: JSON Lines), folders of them, or - for standard input (JSON Lines or JSON documents)" };
        var output = new Option<string>("--out") { Required = true, Description = "Folder for the .eml and .html files" };
        var command = new Command("render", "Write the emails each event would produce (.eml plus .html preview) without sending") { paths, output };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetRequiredValue(paths), parse.GetRequiredValue(output), Console.In, Console.Out, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(string[] paths, string outputDirectory, TextReader stdin, TextWriter stdout, CancellationToken cancellationToken)
    {
        return await CliServices.RunWithEventsAsync(paths, stdin, stdout, (services, items) => RenderAsync(services, items, outputDirectory, stdout, cancellationToken), cancellationToken);
    }

    private static async Task<int> RenderAsync(IServiceProvider services, IReadOnlyList<EventSource.Item> items, string outputDirectory, TextWriter stdout, CancellationToken cancellationToken)
    {
        var pipeline = services.GetRequiredService<DeliveryPipeline>();
        Directory.CreateDirectory(outputDirectory);
        int rendered = 0, rejected = 0, files = 0;
        foreach (var item in items)
        {
            var prepared = pipeline.Prepare(item.Body.Span, eventKey: null, expectedCategory: null);
            if (prepared.IsRejected)
            {
                rejected++;
                await stdout.WriteLineAsync($"{item.Origin}: rejected: {prepared.RejectionReason}");
                continue;
            }

            rendered++;
            var stem = Stem(item.Origin);
            for (var i = 0; i < prepared.Messages.Count; i++)
            {
                var message = prepared.Messages[i];
                var name = $"{stem}.{i + 1}.{Safe(message.Recipients[0].Address)}";
                await File.WriteAllBytesAsync(Path.Combine(outputDirectory, name + ".eml"), MimeMessageBuilder.ToArray(message), cancellationToken);
                if (message.HtmlBody is { } html)
                {
                    await File.WriteAllTextAsync(Path.Combine(outputDirectory, name + ".html"), html, Encoding.UTF8, cancellationToken);
                }

                files++;
            }

            var note = prepared.Messages.Count == 0 && prepared.Recipients?.Note is { } why ? $" ({why})" : string.Empty;
            await stdout.WriteLineAsync($"{item.Origin}: {prepared.Messages.Count} email(s){note}");
        }

        await stdout.WriteLineAsync($"rendered {rendered}, rejected {rejected}; {files} email(s) in {Path.GetFullPath(outputDirectory)}");
        return rejected == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static string Stem(string origin)
    {
        // "stdin:3" and "events.jsonl:12" name a line; "x/pr.json" a whole file.
        var line = origin.LastIndexOf(':');
        return line > 0 && int.TryParse(origin.AsSpan(line + 1), out var number)
            ? Safe($"{Path.GetFileNameWithoutExtension(origin[..line])}-{number}")
            : Safe(Path.GetFileNameWithoutExtension(origin));
    }

    private static string Safe(string value) =>
        string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' ? c : '_'));
}
