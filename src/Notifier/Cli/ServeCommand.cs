using System.CommandLine;
using Notifier.Hosting;

namespace Notifier.Cli;

/// <summary><c>notifier serve</c>: the Functions custom handler (started by the host with FUNCTIONS_CUSTOMHANDLER_PORT).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the Azure Functions custom handler on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT");
        command.SetAction((_, cancellationToken) => RunAsync([], cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string[] hostArgs, CancellationToken cancellationToken)
    {
        // Checked before anything starts, so a missing port is one clear line rather than a stack trace.
        if (!HandlerPort.TryRead(new ConfigurationBuilder().AddEnvironmentVariables().Build(), out _, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            return ExitCodes.Usage;
        }

        await using var app = HandlerApp.Build(hostArgs);
        await app.RunAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
