using Notifier.Notifications.Delivery;
using Notifier.Rejections;
using Notifier.Settings;
using Notifier.Storage;

namespace Notifier.Functions;

/// <summary>
/// What a queue function needs, resolved per invocation by <c>HandlerEndpoints</c>. Everything built from the settings
/// is <see cref="Lazy{T}"/>: the handler reads it only once <see cref="Settings"/> are usable.
/// </summary>
internal readonly record struct QueueFunctionServices(
    ILoggerFactory Loggers,
    NotifierSettings Settings,
    RecentMessages RecentMessages,
    Lazy<DeliveryPipeline> Pipeline,
    Lazy<MessageLedger> Ledger,
    Lazy<RejectedEnvelope> Rejections,
    TimeProvider Time);
