using Notifier.Tests.Support;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.Cli;

/// <summary>
/// check-smtp and send-test as an admin runs them (a real process) while Key Vault cannot be reached: the
/// real client, its retry policy and a loopback port where nothing listens. Exit 1 and one line naming the
/// vault, the secret and the fix; never a stack trace.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KeyVaultFailureCommandTests
{
    [Theory]
    [InlineData("check-smtp")]
    [InlineData("send-test", "--to", "admin@example.com")]
    public async Task AnUnreachableVaultIsOneLineAndExit1(params string[] command)
    {
        using var downVault = new RefusingPort();
        using var downServer = new RefusingPort();
        var vault = $"https://127.0.0.1:{downVault.Port}/";
        var environment = new Dictionary<string, string?>
        {
            ["Mail__Host"] = "127.0.0.1",
            ["Mail__Port"] = downServer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail__From"] = "noreply@example.com",
            ["KeyVault__Uri"] = vault,
        };

        var (exitCode, output) = await NotifierProcess.RunAsync(environment, null, null, command);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("Key Vault", StringComparison.Ordinal));
        Assert.Contains(vault, line, StringComparison.Ordinal);
        Assert.Contains("secret 'mail-username'", line, StringComparison.Ordinal);
        Assert.Contains("could not be reached", line, StringComparison.Ordinal);
        Assert.Contains("network path", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
