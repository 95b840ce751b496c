using Notifier.Notifications.Events;

namespace Notifier.Functions;

/// <summary>The app's functions, queues and routes (docs/functions-app.md), in one place.</summary>
internal static class FunctionCatalog
{
    /// <summary>The output binding that forwards rejected events.</summary>
    public const string RejectedBinding = "rejected";

    /// <summary>The queue the <see cref="RejectedBinding"/> writes to.</summary>
    public const string RejectedQueue = "rejected-events";

    /// <summary>The app setting holding the Service Bus connection (or its identity-based prefix).</summary>
    public const string ServiceBusConnection = "ServiceBusConnection";

    /// <summary>The HTTP output binding of <see cref="SendTestEmail"/> and <see cref="BitbucketWebhook"/>.</summary>
    public const string HttpResponseBinding = "res";

    /// <summary>The output binding of <see cref="BitbucketWebhook"/> that writes to <c>pullrequest-events</c>.</summary>
    public const string PullRequestsBinding = "pullrequests";

    /// <summary>The output binding of <see cref="BitbucketWebhook"/> that writes to <c>repository-events</c>.</summary>
    public const string RepositoriesBinding = "repositories";

    /// <summary>The queue of pull-request events (<see cref="PullRequestEvents"/>).</summary>
    public const string PullRequestQueue = "pullrequest-events";

    /// <summary>The queue of repository events (<see cref="RepositoryEvents"/>).</summary>
    public const string RepositoryQueue = "repository-events";

    public static FunctionDefinition PullRequestEvents { get; } = new("PullRequestEvents", "message", PullRequestQueue, EventCategory.PullRequest, null);

    public static FunctionDefinition RepositoryEvents { get; } = new("RepositoryEvents", "message", RepositoryQueue, EventCategory.Repository, null);

    public static FunctionDefinition AccountEvents { get; } = new("AccountEvents", "message", "account-events", EventCategory.Account, null);

    public static FunctionDefinition SendTestEmail { get; } = new("SendTestEmail", "req", null, null, "mail/test");

    public static FunctionDefinition BitbucketWebhook { get; } = new("BitbucketWebhook", "req", null, null, "bitbucket/webhook");

    /// <summary>The timer that sends due digests; its schedule is the app setting <see cref="FlushScheduleSetting"/>.</summary>
    public static FunctionDefinition FlushBatches { get; } = new("FlushBatches", "timer", null, null, null);

    /// <summary>The app setting the host reads the FlushBatches schedule from (<c>%…%</c> in its function.json).</summary>
    public const string FlushScheduleSetting = "Notifications__Batching__FlushSchedule";

    public static IReadOnlyList<FunctionDefinition> QueueFunctions { get; } = [PullRequestEvents, RepositoryEvents, AccountEvents];

    public static IReadOnlyList<FunctionDefinition> All { get; } = [PullRequestEvents, RepositoryEvents, AccountEvents, SendTestEmail, BitbucketWebhook, FlushBatches];

    /// <summary>The function the host means by <paramref name="name"/> (its path segment; any case, as routing matched it).</summary>
    public static FunctionDefinition? Find(string? name)
    {
        foreach (var function in All)
        {
            if (string.Equals(function.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return function;
            }
        }

        return null;
    }
}
