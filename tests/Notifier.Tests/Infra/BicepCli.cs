using System.Diagnostics;
using System.Reflection;

namespace Notifier.Tests.Infra;

/// <summary>
/// The real Bicep compiler, restored by <c>dotnet restore</c> from the Azure.Bicep.CommandLine.linux-x64
/// package (a PackageDownload of this project): its path is baked into the test assembly at build time.
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The <c>bicep</c> executable in the restored package's tools/ folder, made executable.</summary>
    public static string Executable { get; } = Locate();

    /// <summary>
    /// Compiles every .bicep file under <paramref name="folder"/> to ARM JSON under <paramref name="outputFolder"/>
    /// (same relative paths, .json). A linter finding fails the build: the rules are errors in bicepconfig.json.
    /// </summary>
    public static BicepRun Build(string folder, string outputFolder, string? config = null) =>
        Run(folder, ["build", "--pattern", "**/*.bicep", "--outdir", outputFolder, .. ConfigArguments(config)]);

    /// <summary>Lints every .bicep file under <paramref name="folder"/>.</summary>
    public static BicepRun Lint(string folder, string? config = null) =>
        Run(folder, ["lint", "--pattern", "**/*.bicep", .. ConfigArguments(config)]);

    private static string[] ConfigArguments(string? config) => config is null ? [] : ["--config", config];

    private static BicepRun Run(string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The compiler never needs the network here (no registry modules); no telemetry, no update check.
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}");
        }

        return new BicepRun(process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepExecutable").Value
            ?? throw new InvalidOperationException("the test assembly does not name the bicep executable");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the Bicep compiler is not at {path}: run `dotnet restore tests/Notifier.Tests` (it downloads Azure.Bicep.CommandLine.linux-x64)", path);
        }

        // NuGet does not promise to keep the execute bit when it extracts a package.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return path;
    }
}
