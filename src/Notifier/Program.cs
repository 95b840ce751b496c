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

// The Functions host starts `notifier serve` on every cold start: skip building the whole command line
// (System.CommandLine, every command's options) for it, since the host waits for GET / meanwhile.
if (args is ["serve"])
{
    return await ServeCommand.RunAsync([], CancellationToken.None);
}

return await NotifierCommand.RunAsync(args);

/// <summary>The entry point; public so that in-memory endpoint tests can host the handler.</summary>
public partial class Program;
