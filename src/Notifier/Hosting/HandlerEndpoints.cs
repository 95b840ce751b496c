using Notifier.Functions;

namespace Notifier.Hosting;

/// <summary>
/// The handler's routes: <c>GET /</c> for the host's liveness poll and <c>POST /{FunctionName}</c> per function.
/// Each handler takes its services as parameters; those built from settings come as <see cref="Lazy{T}"/> so
/// invalid settings reach the handler, which reports them.
/// </summary>
internal static class HandlerEndpoints
{
    public static IEndpointRouteBuilder MapHandlerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The host polls this until it answers; nothing here waits on settings, Key Vault or SMTP.
        endpoints.MapGet("/", () => TypedResults.Text("notifier"));
        foreach (var function in FunctionCatalog.QueueFunctions)
        {
            endpoints.MapPost(function.HandlerPath, (HttpContext context, [AsParameters] QueueFunctionServices services) => QueueFunctionHandler.InvokeAsync(function, context, services))
                .WithName(function.Name);
        }

        endpoints.MapPost(FunctionCatalog.SendTestEmail.HandlerPath, SendTestEmailHandler.InvokeAsync)
            .WithName(FunctionCatalog.SendTestEmail.Name);
        endpoints.MapPost(FunctionCatalog.BitbucketWebhook.HandlerPath, BitbucketWebhookHandler.InvokeAsync)
            .WithName(FunctionCatalog.BitbucketWebhook.Name);
        endpoints.MapPost(FunctionCatalog.FlushBatches.HandlerPath, FlushBatchesHandler.InvokeAsync)
            .WithName(FunctionCatalog.FlushBatches.Name);
        return endpoints;
    }
}
