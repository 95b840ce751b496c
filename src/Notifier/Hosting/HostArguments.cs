namespace Notifier.Hosting;

/// <summary>Recognises a command line made only of ASP.NET Core host settings (<c>--name=value</c>).</summary>
internal static class HostArguments
{
    private static readonly string[] HostSettings = ["--contentRoot=", "--environment=", "--applicationName=", "--urls="];

    public static bool AreOnlyHostSettings(string[] args) =>
        args.Length > 0 && args.All(a => HostSettings.Any(s => a.StartsWith(s, StringComparison.OrdinalIgnoreCase)));
}
