using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Notifier.Functions;
using Notifier.KeyVault;
using Notifier.Mail;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Delivery;
using Notifier.OAuth2;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Rejections;
using Notifier.Settings;
using Notifier.Smtp;
using Notifier.Smtp.Diagnostics;
using Notifier.Storage;

namespace Notifier.Hosting;

/// <summary>
/// The services behind both the handler and the CLI. Everything that depends on settings is created on
/// first use, so invalid settings are reported (not thrown) and the handler can still explain itself.
/// </summary>
internal static class NotifierServices
{
    public static IServiceCollection AddNotifier(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient(typeof(Lazy<>), typeof(LazyService<>));
        services.AddNotifierSettings();
        services.AddSingleton(sp => new DeliveryMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton<EventParser>();
        services.AddSingleton<RecipientResolver>();
        services.AddSingleton(sp => new EventPolicy(sp.GetRequiredService<NotifierSettings>().Notifications));
        services.AddSingleton(sp => new EmailRenderer(sp.GetRequiredService<NotifierSettings>().Notifications, sp.GetRequiredService<NotifierSettings>().From));
        services.AddSingleton(sp => new KeyVaultMailCredentials(
            KeyVaultClientFactory.Create(sp.GetRequiredService<NotifierSettings>().KeyVault),
            sp.GetRequiredService<NotifierSettings>().KeyVault,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KeyVaultMailCredentials>>()));
        services.AddSingleton(sp => OAuth2CredentialsFactory.Create(
            sp.GetRequiredService<NotifierSettings>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OAuth2MailCredentials>>()));
        services.AddSingleton(MailTransportFactory.Create);
        services.AddSingleton(sp => new SmtpProbe(sp.GetRequiredService<ILogger<SmtpProbe>>(), sp.GetRequiredService<TimeProvider>(), MailCredentials.Resolve(sp)));
        services.AddSingleton(sp => new MailTester(
            sp.GetRequiredService<NotifierSettings>(),
            sp.GetRequiredService<SmtpProbe>(),
            sp.GetRequiredService<IMailTransport>(),
            sp.GetRequiredService<TimeProvider>(),
            MailCredentials.Resolve(sp)));
        services.AddSingleton(sp => StorageAccount.Create(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.AddSingleton(sp => new BatchPolicy(sp.GetRequiredService<NotifierSettings>().Notifications.Batching));
        services.AddSingleton(sp => new Digests(
            sp.GetRequiredService<StorageAccount>().Tables is { } tables
                ? new TableBatchStore(tables, sp.GetRequiredService<NotifierSettings>().Notifications.Batching, sp.GetRequiredService<TimeProvider>())
                : null,
            store => new BatchFlusher(
                store,
                sp.GetRequiredService<EventParser>(),
                sp.GetRequiredService<EmailRenderer>(),
                sp.GetRequiredService<IMailTransport>(),
                sp.GetRequiredService<DeliveryMetrics>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<BatchFlusher>>(),
                Math.Max(1, sp.GetRequiredService<NotifierSettings>().Mail.MaxConnections))));
        services.AddSingleton(sp => new DeliveryPipeline(
            sp.GetRequiredService<EventParser>(),
            sp.GetRequiredService<EventPolicy>(),
            sp.GetRequiredService<RecipientResolver>(),
            sp.GetRequiredService<EmailRenderer>(),
            sp.GetRequiredService<IMailTransport>(),
            sp.GetRequiredService<DeliveryMetrics>(),
            sp.GetRequiredService<ILogger<DeliveryPipeline>>(),
            sp.GetRequiredService<BatchPolicy>(),
            sp.GetRequiredService<Digests>().Store,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new MessageLedger(sp.GetRequiredService<StorageAccount>().Tables, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MessageLedger>>()));
        services.AddSingleton(_ => new RecentMessages());
        services.AddSingleton(sp => RejectedBodyStore.Create(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<NotifierSettings>().Rejected));
        services.AddSingleton(sp => new RejectedEnvelope(
            sp.GetRequiredService<NotifierSettings>().Rejected,
            sp.GetRequiredService<RejectedBodyStore>(),
            sp.GetRequiredService<ILogger<RejectedEnvelope>>()));
        return services;
    }
}
