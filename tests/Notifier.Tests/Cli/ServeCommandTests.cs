using Notifier.Tests.Support;

namespace Notifier.Tests.Cli;

/// <summary><c>notifier serve</c> as the host starts it: a real process, the port from the environment.</summary>
[Trait("Category", "Integration")]
public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("70000")]
    public async Task ServeExits2AndSaysWhatAPortIsWhenTheHandlerPortIsNotAPort(string value)
    {
        var (exitCode, output) = await NotifierProcess.RunAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = value }, null, null, "serve");

        Assert.Equal(2, exitCode);
        Assert.Contains($"FUNCTIONS_CUSTOMHANDLER_PORT='{value}' is not a TCP port", output, StringComparison.Ordinal);
    }
}
