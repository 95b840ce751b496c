namespace Notifier.Hosting;

/// <summary>
/// <c>Lazy&lt;T&gt;</c> for any registered service (registered as the open generic <c>Lazy&lt;&gt;</c>). A handler takes
/// the services built from settings this way and asks for <see cref="Lazy{T}.Value"/> only after it has checked
/// that the settings are usable: invalid settings are then answered with their description instead of an
/// exception thrown while the endpoint's parameters are bound.
/// </summary>
internal sealed class LazyService<T>(IServiceProvider services) : Lazy<T>(services.GetRequiredService<T>)
    where T : notnull;
