using Notifier.Notifications.Delivery;
using Notifier.Settings;
using Notifier.Smtp;

namespace Notifier.Mail;

/// <summary>
/// Chooses the transport from the settings: the pooled SMTP client when Mail__Host is set (credentials from
/// <see cref="MailCredentials"/>), the outbox writer (.eml files) when it is empty.
/// </summary>
internal static class MailTransportFactory
{
    public static IMailTransport Create(IServiceProvider services)
    {
        var settings = services.GetRequiredService<NotifierSettings>();
        if (string.IsNullOrWhiteSpace(settings.Mail.Host))
        {
            return new OutboxTransport(settings.Mail, services.GetRequiredService<ILogger<OutboxTransport>>(), services.GetRequiredService<TimeProvider>());
        }

        var transport = new SmtpTransport(settings.Mail, services.GetRequiredService<ILogger<SmtpTransport>>(), services.GetRequiredService<TimeProvider>(), MailCredentials.Resolve(services));
        services.GetRequiredService<DeliveryMetrics>().ObservePoolSize(() => transport.IdleConnections);
        return transport;
    }
}
