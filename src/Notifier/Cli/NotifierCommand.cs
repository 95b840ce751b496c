using System.CommandLine;

namespace Notifier.Cli;

/// <summary>The <c>notifier</c> command line (README.md, "The notifier command").</summary>
internal static class NotifierCommand
{
    public static RootCommand Create() =>
        new("Notifier: Bitbucket-style email notifications from Service Bus events, as an Azure Functions custom handler and an admin tool")
        {
            ServeCommand.Create(),
            SendTestCommand.Create(),
            CheckSmtpCommand.Create(),
            DeliverCommand.Create(),
            RenderCommand.Create(),
            FlushCommand.Create(),
            PublishCommand.Create(),
        };

    /// <summary>Parses and runs; usage errors exit 2 like unusable settings (the library's default is 1).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'notifier --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync();
    }
}
