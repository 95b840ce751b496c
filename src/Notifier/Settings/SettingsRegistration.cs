using Microsoft.Extensions.Options;
using Notifier.KeyVault;
using Notifier.Notifications;
using Notifier.Rejections;
using Notifier.Smtp.Options;
using Notifier.Webhooks;

namespace Notifier.Settings;

/// <summary>
/// Registers every settings section with the options system: bound from its configuration section, validated by
/// its own validator and by <see cref="UnreadableSettingsValidator{T}"/>, and gathered in <see cref="NotifierSettings"/>.
/// No section validates on start: invalid settings must not stop the handler (the host would restart it in a
/// quiet loop); <see cref="NotifierSettings"/> lists them and every function answers with them.
/// </summary>
internal static class SettingsRegistration
{
    public static IServiceCollection AddNotifierSettings(this IServiceCollection services)
    {
        services.AddSection<MailOptions>(MailOptions.SectionName)
            .AddSingleton<IValidateOptions<MailOptions>, MailOptionsValidator>();
        services.AddSection<NotificationOptions>(NotificationOptions.SectionName)
            .AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        services.AddSection<KeyVaultOptions>(KeyVaultOptions.SectionName)
            .AddSingleton<IValidateOptions<KeyVaultOptions>, KeyVaultOptionsValidator>();
        services.AddSection<RejectedOptions>(RejectedOptions.SectionName)
            .AddSingleton<IValidateOptions<RejectedOptions>, RejectedOptionsValidator>();
        // Bitbucket__* has no rules beyond readable values: an empty secret is a state the webhook reports.
        services.AddSection<BitbucketOptions>(BitbucketOptions.SectionName);
        services.AddSingleton<NotifierSettings>();
        return services;
    }

    private static IServiceCollection AddSection<T>(this IServiceCollection services, string section)
        where T : class, new()
    {
        services.AddOptions<T>().Configure<IConfiguration>((options, configuration) => SectionBinder.Bind(configuration, section, options));
        services.AddSingleton<IValidateOptions<T>>(sp => new UnreadableSettingsValidator<T>(sp.GetRequiredService<IConfiguration>(), section));
        return services;
    }
}
