using Notifier.Hosting;
using Notifier.Smtp.Messages;
using Notifier.Tests.Support;
using NSubstitute;

namespace Notifier.Tests.Hosting;

public sealed class WarmUpTests
{
    [Fact]
    public async Task WarmUpRendersAndEncodesTheSampleEmailsWithoutSendingAny()
    {
        await using var factory = new HandlerFactory();
        using var client = factory.CreateClient();
        (await client.GetAsync(new Uri("/", UriKind.Relative))).EnsureSuccessStatusCode();

        var encoded = await WarmUp.RunAsync(factory.Services, early: Task.CompletedTask);

        Assert.Equal(2, encoded);
        await factory.Transport.DidNotReceiveWithAnyArgs().SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>());
        // The mail connection is prepared meanwhile (SmtpPoolTests and ServeProcessTests show what that opens).
        await factory.Transport.Received().PrepareAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task TheEarlyWarmUpRendersAndEncodesTheSampleEmailsWithoutSettingsOrServices()
    {
        Assert.Equal(2, await WarmUp.StartEarly());
    }

    [Fact]
    public async Task TheWarmUpAfterListeningOpensTheMailConnectionBeforeTheEarlyOneFinishes()
    {
        await using var factory = new HandlerFactory();
        var early = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var warmUp = WarmUp.RunAsync(factory.Services, early.Task);

        await factory.Transport.Received().PrepareAsync(Arg.Any<CancellationToken>());
        Assert.False(warmUp.IsCompleted);
        early.SetResult(2);
        Assert.Equal(2, await warmUp);
    }
}
