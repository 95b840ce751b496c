using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;
using Notifier.Settings;
using Notifier.Telemetry;

namespace Notifier.Hosting;

/// <summary>
/// <c>notifier serve</c>: the custom handler on 127.0.0.1:<c>FUNCTIONS_CUSTOMHANDLER_PORT</c>. Invalid settings
/// are logged at start as one message listing every problem, and the handler keeps running instead of
/// exiting: a process that exits is restarted by the host in a quiet loop, whereas a running handler answers
/// <c>GET /</c>, puts every queue message back (500, so it is retried and finally dead-lettered, never
/// mailed wrongly or lost), logs the problems with each invocation and answers the test email with them.
/// </summary>
internal static class HandlerApp
{
    public static WebApplication Build(string[] args)
    {
        // First, so that it runs on the second core while this thread builds the host (Hosting/WarmUp.cs).
        var early = WarmUp.StartEarly();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        // The host copies the handler's stdout into its own log, one line per entry.
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.AddNotifierTelemetry();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            if (!HandlerPort.TryRead(context.Configuration, out var port, out var error))
            {
                throw new InvalidOperationException(error);
            }

            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddNotifier();

        var app = builder.Build();
        app.MapHandlerEndpoints();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            ReportListening(app.Services);
            ReportTelemetry(app.Services);
            // The warm-up with the real services, after listening: started between the host's build and
            // its start it delayed GET / more than it saved on the first invocation (the early warm-up,
            // which needs no host, has done most of the compiling by now). The settings report follows the
            // warm-up instead of running beside it: 13 ms sooner to the first invocation (bench/README-app.md).
            // Invalid settings skip the warm-up, so they are still reported at once.
            WarmUp.Start(app.Services, early, afterwards: () => ReportSettingsSafely(app.Services));
        });
        return app;
    }

    /// <summary>The address bound, with the port the system chose when FUNCTIONS_CUSTOMHANDLER_PORT is 0.</summary>
    private static void ReportListening(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HandlerApp));
        if (logger.IsEnabled(LogLevel.Information))
        {
            var addresses = string.Join(", ", services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
            HandlerLog.Listening(logger, addresses);
        }
    }

    private static void ReportTelemetry(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelemetrySetup));
        var status = services.GetRequiredService<TelemetryStatus>();
        if (status.Problem is { } problem)
        {
            TelemetryLog.Refused(logger, problem);
        }
        else if (status is { Enabled: true, SignsInWith: { } signsInWith })
        {
            TelemetryLog.Exporting(logger, signsInWith);
        }
    }

    /// <summary>On the warm-up's thread no exception reaches the host, so one is logged rather than lost.</summary>
    private static void ReportSettingsSafely(IServiceProvider services)
    {
        try
        {
            ReportSettings(services);
        }
        catch (Exception ex)
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HandlerApp));
            HandlerLog.SettingsReportFailed(logger, ex);
        }
    }

    private static void ReportSettings(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HandlerApp));
        var settings = services.GetRequiredService<NotifierSettings>();
        if (!settings.IsValid)
        {
            if (logger.IsEnabled(LogLevel.Critical))
            {
                var described = settings.Describe();
                HandlerLog.SettingsInvalid(logger, described);
            }

            return;
        }

        var batching = settings.Notifications.Batching;
        if (services.GetRequiredService<Notifier.Storage.StorageAccount>().Tables is { } tables)
        {
            Notifier.Storage.StorageLog.Configured(logger, batching.Mode, batching.QuietPeriod, batching.MaxDelay, tables.AccountName);
        }
        else
        {
            Notifier.Storage.StorageLog.NotConfigured(logger);
        }

        if (settings.Bitbucket.IsUnresolvedKeyVaultReference)
        {
            Webhooks.WebhookLog.SecretUnresolved(logger);
        }
        else if (settings.Bitbucket.AllowUnsignedWebhooks)
        {
            Webhooks.WebhookLog.UnsignedAllowed(logger);
        }
        else if (!settings.Bitbucket.HasSecret)
        {
            Webhooks.WebhookLog.NoSecret(logger);
        }
    }
}
