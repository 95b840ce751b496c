using System.CommandLine;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Notifier.Publishing;

namespace Notifier.Cli;

/// <summary>
/// <c>notifier publish PATH...|- --namespace NAME.servicebus.windows.net</c>: sends events to the queue of their
/// category, signed in with Azure.Identity. Every event is checked first and nothing is sent when any is
/// invalid. Prints where each event went and a summary; exit 0 all sent, 1 invalid events, a failed send or
/// cancelled, 2 bad usage.
/// </summary>
internal static class PublishCommand
{
    /// <summary>A failed send is reported after this many tries, not after the client's default four minutes.</summary>
    private const int MaxRetries = 2;

    private static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "Event files (.json: one event; .jsonl: JSON Lines), folders of them, or - for standard input (JSON Lines or JSON documents)" };
        var serviceBusNamespace = new Option<string>("--namespace") { Required = true, Description = "The Service Bus namespace's host name, e.g. sb-notifier-prod.servicebus.windows.net" };
        var command = new Command("publish", "Send events to the queue of their category in a Service Bus namespace (all are checked first; nothing is sent if any is invalid)") { paths, serviceBusNamespace };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(paths), parse.GetRequiredValue(serviceBusNamespace), Console.In, Console.Out, Console.Error, Connect, cancellationToken));
        return command;
    }

    /// <summary>Runs the command; <paramref name="connect"/> makes the client for a namespace host name (tests pass a fake).</summary>
    internal static async Task<int> RunAsync(
        string[] paths, string serviceBusNamespace, TextReader stdin, TextWriter stdout, TextWriter stderr,
        Func<string, ServiceBusClient> connect, CancellationToken cancellationToken)
    {
        var host = serviceBusNamespace.Trim();
        if ((NamespaceProblem(host) ?? EventSource.FindMissing(paths)) is { } usage)
        {
            await stderr.WriteLineAsync(usage);
            return ExitCodes.Usage;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        try
        {
            var items = await EventSource.ReadAllAsync(EventSource.ExpandFiles(paths), stdin, cancellationToken);
            if (items.Count == 0)
            {
                await stdout.WriteLineAsync($"no events found in {string.Join(", ", paths)} (folders are searched for {EventSource.FolderPatterns} files; standard input for JSON); nothing sent");
                return ExitCodes.Failure;
            }

            var (events, problems) = OutgoingEventChecker.Check(items.Select(i => (i.Origin, i.Body)));
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await stdout.WriteLineAsync(problem);
                }

                await stdout.WriteLineAsync($"nothing sent: {problems.Count} of {items.Count} events are invalid");
                return ExitCodes.Failure;
            }

            total = events.Count;
            var client = connect(host);
            await using (client.ConfigureAwait(false))
            {
                await new EventPublisher(client).PublishAsync(events, async sent =>
                {
                    counts[sent.Queue] = counts.GetValueOrDefault(sent.Queue) + 1;
                    await stdout.WriteLineAsync($"{sent.Origin}: {sent.EventType} {sent.EventId} → {sent.Queue}");
                }, cancellationToken);
            }
        }
        catch (QueuePublishException exception)
        {
            await stderr.WriteLineAsync($"sent {Sent(counts)} of {total} events; {Explain(exception, host)}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"cancelled: sent {Sent(counts)} of {total} events; the others were not sent");
            return ExitCodes.Failure;
        }

        await stdout.WriteLineAsync($"sent {total} events to {host}: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        return ExitCodes.Success;
    }

    /// <summary>Why the value is not a namespace host name; null when it is one.</summary>
    internal static string? NamespaceProblem(string host)
    {
        if (host.Contains("://", StringComparison.Ordinal) || host.Contains('/', StringComparison.Ordinal) || host.Contains(';', StringComparison.Ordinal))
        {
            // Not echoed: a connection string carries its key.
            return "--namespace takes the namespace's host name only, e.g. sb-notifier-prod.servicebus.windows.net, not a URL or a connection string; publish signs in with Azure.Identity";
        }

        return Uri.CheckHostName(host) == UriHostNameType.Dns && host.Contains('.', StringComparison.Ordinal)
            ? null
            : $"--namespace must be the namespace's full host name, e.g. sb-notifier-prod.servicebus.windows.net (got '{host}')";
    }

    /// <summary>
    /// One line: what failed and what to do. The SDK's messages run over several lines (a troubleshooting link,
    /// every credential DefaultAzureCredential tried); the first line says what happened.
    /// </summary>
    internal static string Explain(QueuePublishException exception, string host)
    {
        var cause = exception.InnerException ?? exception;
        var what = FirstLine(cause.Message);
        var todo = cause switch
        {
            AuthenticationFailedException =>
                "sign in first: az login, a managed identity, or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET for a service principal",
            UnauthorizedAccessException =>
                $"the signed-in identity needs the role Azure Service Bus Data Sender on {exception.Queue} (infra: add its object id to the producer principal ids of that queue)",
            ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } =>
                $"{host} has no queue {exception.Queue}: check --namespace (deploy infra/ to create the queues)",
            ServiceBusException { Reason: ServiceBusFailureReason.ServiceCommunicationProblem or ServiceBusFailureReason.ServiceTimeout } =>
                $"{host} could not be reached: check the name and that outbound AMQP (TCP 5671) is allowed",
            ServiceBusException { Reason: ServiceBusFailureReason.MessageSizeExceeded } or InvalidOperationException =>
                "the event is too large for a Service Bus message: split or shorten it",
            _ => $"check --namespace, the network and the role Azure Service Bus Data Sender on {exception.Queue}",
        };
        return $"sending to {exception.Queue} failed: {what}; {todo}";
    }

    private static ServiceBusClient Connect(string host) => new(host, new DefaultAzureCredential(), new ServiceBusClientOptions
    {
        RetryOptions = new ServiceBusRetryOptions { MaxRetries = MaxRetries, TryTimeout = TryTimeout },
    });

    private static int Sent(Dictionary<string, int> counts) => counts.Values.Sum();

    private static string FirstLine(string message)
    {
        var line = message.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).TrimEnd().ToString();
    }
}
