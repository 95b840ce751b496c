// The `notifier` executable: the Functions custom handler (`notifier serve`) and the admin commands
// (send-test, check-smtp, deliver, render). See Cli/ for each command and Hosting/ for the handler.
using Notifier.Cli;
using Notifier.Hosting;

// The ASP.NET Core test host (WebApplicationFactory) starts the entry point with host settings only
// (--contentRoot=..., --environment=...); that is a request to serve.
if (HostArguments.AreOnlyHostSettings(args))
{
    await using var app = HandlerApp.Build(args);
    await app.RunAsync();
    return ExitCodes.Success;
}

return await NotifierCommand.RunAsync(args);

/// <summary>The entry point; public so that in-memory endpoint tests can host the handler.</summary>
public partial class Program;
