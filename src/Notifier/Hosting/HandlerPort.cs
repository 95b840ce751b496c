using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Notifier.Hosting;

/// <summary>
/// The loopback port the Functions host gives the handler in <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>; 0 lets the system
/// choose, and the handler logs the address it listens on (log 3700).
/// </summary>
internal static class HandlerPort
{
    public const string Setting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The port; false with an error an admin can act on.</summary>
    public static bool TryRead(IConfiguration configuration, out int port, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            port = 0;
            error = $"{Setting} is not set. The Functions host sets it when it starts `notifier serve`; to run the handler by hand, set it to a free port, e.g. {Setting}=7071.";
            return false;
        }

        // 0 asks the system for a free port; the handler logs the one it got (tests start many handlers at once).
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            port = 0;
            error = $"{Setting}='{value}' is not a TCP port: use a number from 1 to 65535 (or 0 for any free one).";
            return false;
        }

        error = null;
        return true;
    }
}
