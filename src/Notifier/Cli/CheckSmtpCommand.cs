using System.CommandLine;
using Notifier.Mail;

namespace Notifier.Cli;

/// <summary>
/// <c>notifier check-smtp</c>: connects, negotiates TLS and authenticates without sending, printing the banner,
/// extensions, TLS version and certificate and auth mechanisms. Exit 0 ok, 1 problem, 2 unusable settings
/// (including an empty Mail__Host: there is nothing to check).
/// </summary>
internal static class CheckSmtpCommand
{
    public static Command Create()
    {
        var command = new Command("check-smtp", "Check the mail server settings stage by stage without sending");
        command.SetAction((_, cancellationToken) => RunAsync(Console.Out, cancellationToken));
        return command;
    }

    internal static Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken) =>
        CliServices.RunAsync(services => CheckAsync(services, output, cancellationToken));

    private static async Task<int> CheckAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var printer = new MailTestPrinter(output);
        await printer.PrintConnectingAsync(services);
        var outcome = await services.GetRequiredService<MailTester>().CheckAsync(printer, cancellationToken);
        printer.PrintOutcome(outcome);
        await output.WriteLineAsync(outcome.Succeeded ? "ok" : "problem");
        return outcome.Kind switch
        {
            MailTestKind.Succeeded => ExitCodes.Success,
            MailTestKind.SettingsInvalid => ExitCodes.Usage,
            _ => ExitCodes.Failure,
        };
    }
}
