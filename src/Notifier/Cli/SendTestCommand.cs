using System.CommandLine;
using Notifier.Mail;

namespace Notifier.Cli;

/// <summary>
/// <c>notifier send-test --to ADDR</c>: sends a test email with the current settings and prints each stage.
/// Exit 0 sent, 1 not sent (with why and what to change), 2 bad usage or settings.
/// </summary>
internal static class SendTestCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to") { Required = true, Description = "Who gets the test email" };
        var command = new Command("send-test", "Send a test email with the current Mail__* settings, printing every stage") { to };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetRequiredValue(to), Console.Out, cancellationToken));
        return command;
    }

    internal static Task<int> RunAsync(string to, TextWriter output, CancellationToken cancellationToken) =>
        CliServices.RunAsync(services => SendAsync(services, to, output, cancellationToken));

    private static async Task<int> SendAsync(IServiceProvider services, string to, TextWriter output, CancellationToken cancellationToken)
    {
        var printer = new MailTestPrinter(output);
        await printer.PrintConnectingAsync(services);
        var outcome = await services.GetRequiredService<MailTester>().SendTestAsync(to, printer, cancellationToken);
        printer.PrintOutcome(outcome);
        await output.WriteLineAsync(outcome.Kind switch
        {
            MailTestKind.Succeeded => "sent",
            MailTestKind.WrittenToOutbox => "written to the outbox; nothing was sent (Mail__Host is empty)",
            _ => "not sent",
        });
        return outcome.Kind switch
        {
            MailTestKind.Succeeded or MailTestKind.WrittenToOutbox => ExitCodes.Success,
            MailTestKind.BadRequest or MailTestKind.SettingsInvalid => ExitCodes.Usage,
            _ => ExitCodes.Failure,
        };
    }
}
