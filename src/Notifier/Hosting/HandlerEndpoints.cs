using Notifier.Functions;
using Notifier.Invocations;
using Notifier.Mail;
using Notifier.Notifications.Delivery;
using Notifier.Rejections;
using Notifier.Settings;
using Notifier.Storage;

namespace Notifier.Hosting;

/// <summary>
/// The handler's routes: <c>GET /</c> for the host's liveness poll and <c>POST /{FunctionName}</c>, which finds
/// the function in <see cref="FunctionCatalog"/> and hands it the services it needs. Those built from settings
/// come as <see cref="Lazy{T}"/> so invalid settings reach the handler, which reports them.
/// </summary>
internal static class HandlerEndpoints
{
    public static IEndpointRouteBuilder MapHandlerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The host polls this until it answers; nothing here waits on settings, Key Vault or SMTP.
        endpoints.MapGet("/", AnswerPollAsync);
        // One route for all functions rather than one literal route each: from two literal routes on, routing
        // compiles an IL jump table on a background thread right after the first request, which on 2 cores
        // competed with the first invocation (bench/README-app.md, cold start).
        endpoints.MapPost("/{function}", InvokeAsync);
        return endpoints;
    }

    /// <summary>
    /// A request delegate rather than a handler for routing to adapt: an adapted handler sets up ASP.NET Core's
    /// JSON options on the way, which this handler never uses (the host's answer is written by
    /// <see cref="InvocationResponse"/>), and that cost the first <c>GET /</c> about 14 ms (bench/README-app.md).
    /// </summary>
    internal static Task AnswerPollAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("notifier", context.RequestAborted);
    }

    /// <summary>Runs the function named by the path; 404 with the list of functions for any other name.</summary>
    internal static async Task InvokeAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["function"] as string;
        var services = context.RequestServices;
        var result = FunctionCatalog.Find(name) switch
        {
            { ReadsQueue: true } queue => await QueueFunctionHandler.InvokeAsync(queue, context, QueueServices(services)),
            var f when f == FunctionCatalog.SendTestEmail => await SendTestEmailHandler.InvokeAsync(
                context, services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<NotifierSettings>(), services.GetRequiredService<Lazy<MailTester>>()),
            var f when f == FunctionCatalog.BitbucketWebhook => await BitbucketWebhookHandler.InvokeAsync(
                context, services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<NotifierSettings>()),
            var f when f == FunctionCatalog.FlushBatches => await FlushBatchesHandler.InvokeAsync(
                context, services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<NotifierSettings>(),
                services.GetRequiredService<Lazy<Digests>>(), services.GetRequiredService<Lazy<MessageLedger>>()),
            _ => NoSuchFunction(name),
        };
        await result.ExecuteAsync(context);
    }

    private static QueueFunctionServices QueueServices(IServiceProvider services) => new(
        services.GetRequiredService<ILoggerFactory>(),
        services.GetRequiredService<NotifierSettings>(),
        services.GetRequiredService<RecentMessages>(),
        services.GetRequiredService<Lazy<DeliveryPipeline>>(),
        services.GetRequiredService<Lazy<MessageLedger>>(),
        services.GetRequiredService<Lazy<RejectedEnvelope>>(),
        services.GetRequiredService<TimeProvider>());

    /// <summary>A path no function.json leads to: a deployment whose function folders and handler disagree.</summary>
    private static InvocationResponse NoSuchFunction(string? name)
    {
        var response = new InvocationResult();
        response.Logs.Add($"this handler has no function named '{name}'; it serves {string.Join(", ", FunctionCatalog.All.Select(f => f.Name))}: deploy the function folders and the notifier binary from the same build");
        return new InvocationResponse(response, StatusCodes.Status404NotFound);
    }
}
