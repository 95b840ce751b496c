using System.Globalization;

namespace Notifier.Hosting;

/// <summary>The loopback port the Functions host gives the handler in <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>.</summary>
internal static class HandlerPort
{
    public const string Setting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The port, or an error an admin can act on.</summary>
    public static (int Port, string? Error) Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return (0, $"{Setting} is not set. The Functions host sets it when it starts `notifier serve`; to run the handler by hand, set it to a free port, e.g. {Setting}=7071.");
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return (0, $"{Setting}='{value}' is not a TCP port: use a number from 1 to 65535.");
        }

        return (port, null);
    }
}
