using System.Reflection;
using Microsoft.Extensions.Logging;
using Notifier.Hosting;
using Notifier.Notifications.Delivery;
using Notifier.Smtp;

namespace Notifier.Tests.Logging;

/// <summary>
/// Every <c>[LoggerMessage]</c> in the three assemblies has an event id of its own, inside its assembly's range
/// (docs/architecture.md, "Log event ids"): an alert or a query on an id must never match two different lines.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly (Assembly Assembly, int First, int Last)[] Ranges =
    [
        (typeof(DeliveryPipeline).Assembly, 1000, 1999),
        (typeof(IMailTransport).Assembly, 2000, 2999),
        (typeof(HandlerApp).Assembly, 3000, 3999),
    ];

    [Fact]
    public void EveryLogMessageHasAnIdInItsAssemblysRange()
    {
        var outside = LogMessages()
            .Where(m => m.Id < m.First || m.Id > m.Last)
            .Select(m => $"{m.Method} has id {m.Id}, outside {m.First}-{m.Last}")
            .ToList();

        Assert.True(outside.Count == 0, string.Join(Environment.NewLine, outside));
    }

    [Fact]
    public void NoTwoLogMessagesShareAnId()
    {
        var shared = LogMessages()
            .GroupBy(m => m.Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"id {g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();

        Assert.True(shared.Count == 0, string.Join(Environment.NewLine, shared));
    }

    [Fact]
    public void TheScanFindsTheLogMessagesOfEveryAssembly()
    {
        // Guards the two tests above against passing on an empty scan.
        var perAssembly = LogMessages().ToLookup(m => m.Assembly);

        Assert.All(Ranges, r => Assert.NotEmpty(perAssembly[r.Assembly.GetName().Name!]));
    }

    private static IEnumerable<LogMessage> LogMessages() =>
        from range in Ranges
        from type in range.Assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select new LogMessage(range.Assembly.GetName().Name!, $"{type.FullName}.{method.Name}", attribute.EventId, range.First, range.Last);

    private sealed record LogMessage(string Assembly, string Method, int Id, int First, int Last);
}
