using System.Diagnostics.CodeAnalysis;
using Notifier.Notifications.Events;

namespace Notifier.Functions;

/// <summary>
/// One function of the app as the host knows it (function.json) and as the handler serves it
/// (<c>POST /{Name}</c>). <see cref="FunctionCatalog"/> lists them; a test checks that the committed
/// function.json files say the same.
/// </summary>
/// <param name="Name">The function (and folder) name; the host POSTs to <c>/{Name}</c>.</param>
/// <param name="TriggerBinding">The trigger binding's name, the key of the body in <c>Data</c>.</param>
/// <param name="Queue">The Service Bus queue it reads; null for the HTTP function.</param>
/// <param name="Category">The events it accepts; null for the HTTP function.</param>
/// <param name="HttpRoute">The public route of an HTTP function (under <c>/api</c>); null for queue functions.</param>
internal sealed record FunctionDefinition(string Name, string TriggerBinding, string? Queue, EventCategory? Category, string? HttpRoute)
{
    /// <summary>True for a Service Bus queue function: it has a <see cref="Queue"/> and a <see cref="Category"/>.</summary>
    [MemberNotNullWhen(true, nameof(Queue), nameof(Category))]
    public bool ReadsQueue => Queue is not null && Category is not null;
}
