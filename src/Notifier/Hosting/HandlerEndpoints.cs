using Notifier.Functions;

namespace Notifier.Hosting;

/// <summary>The handler's routes: <c>GET /</c> for the host's liveness poll and <c>POST /{FunctionName}</c> per function.</summary>
internal static class HandlerEndpoints
{
    public static IEndpointRouteBuilder MapHandlerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The host polls this until it answers; nothing here waits on settings, Key Vault or SMTP.
        endpoints.MapGet("/", () => TypedResults.Text("notifier"));
        foreach (var function in FunctionCatalog.QueueFunctions)
        {
            endpoints.MapPost(function.HandlerPath, (Delegate)((HttpContext context) => QueueFunctionHandler.InvokeAsync(function, context)))
                .WithName(function.Name);
        }

        endpoints.MapPost(FunctionCatalog.SendTestEmail.HandlerPath, (Delegate)SendTestEmailHandler.InvokeAsync)
            .WithName(FunctionCatalog.SendTestEmail.Name);
        endpoints.MapPost(FunctionCatalog.BitbucketWebhook.HandlerPath, (Delegate)BitbucketWebhookHandler.InvokeAsync)
            .WithName(FunctionCatalog.BitbucketWebhook.Name);
        endpoints.MapPost(FunctionCatalog.FlushBatches.HandlerPath, (Delegate)FlushBatchesHandler.InvokeAsync)
            .WithName(FunctionCatalog.FlushBatches.Name);
        return endpoints;
    }
}
