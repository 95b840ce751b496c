using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Notifier.Notifications.Delivery;
using Notifier.Notifications.Events;
using Notifier.Smtp;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Delivery;

public sealed class DeliveryPipelineTests
{
    private readonly IMailTransport _transport = Substitute.For<IMailTransport>();

    public DeliveryPipelineTests()
    {
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>())
            .Returns(call => new SendResult(call.Arg<EmailMessage>().Recipients, [], "250 2.0.0 Ok: queued as ABC"));
    }

    [Fact]
    public async Task DeliversAPullRequestEventAndSendsOneEmailPerMessage()
    {
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.opened"), null, EventCategory.PullRequest);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.True(result.MessagesSent > 0);
        Assert.True(result.RecipientCount > 0);
        Assert.Equal("pullrequest.opened", result.EventType);
        Assert.Equal("250 2.0.0 Ok: queued as ABC", result.ServerReply);
        await _transport.Received(result.MessagesSent).SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>());
        Assert.Contains(fixture.Logger.Entries, e => e.Id.Id == 1000 && e.Text.Contains(result.EventId!, StringComparison.Ordinal) && e.Text.Contains("250 2.0.0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeliversACommentWhoseMarkdownTheParserRefuses()
    {
        using var fixture = new PipelineFixture(_transport);
        var ansiLog = string.Concat(Enumerable.Repeat("\u001b[31mERROR\u001b[0m ", 64));
        var body = JsonNode.Parse(PipelineFixture.Sample("pullrequest.comment.added"))!;
        body["comment"]!["text"] = "The build log:\n\n" + ansiLog;

        var result = await fixture.Pipeline.DeliverAsync(Encoding.UTF8.GetBytes(body.ToJsonString()), null, EventCategory.PullRequest);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Null(result.Reason);
        Assert.True(result.MessagesSent > 0);
    }

    [Fact]
    public async Task RejectsABodyThatIsNotJsonAndSendsNothing()
    {
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(Encoding.UTF8.GetBytes("this is not json"), null, EventCategory.PullRequest);

        Assert.Equal(DeliveryOutcome.Rejected, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        await _transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
        Assert.Contains(fixture.Logger.Entries, e => e.Level == LogLevel.Warning && e.Id.Id == 1003);
    }

    [Theory]
    [InlineData("account.created", EventCategory.PullRequest)]
    [InlineData("pullrequest.opened", EventCategory.Account)]
    [InlineData("repository.pushed", EventCategory.PullRequest)]
    [InlineData("pullrequest.merged", EventCategory.Repository)]
    public async Task RejectsAnEventOfAnotherCategoryThanTheQueueTakes(string sample, EventCategory queue)
    {
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample(sample), null, queue);

        Assert.Equal(DeliveryOutcome.Rejected, result.Outcome);
        Assert.Contains("does not belong on this queue", result.Reason, StringComparison.Ordinal);
        await _transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Theory]
    [InlineData("pr_comment_deleted.json", EventCategory.PullRequest)]
    [InlineData("repo_comment_deleted.json", EventCategory.Repository)]
    public async Task ADeletedCommentIsDeliveredToNobodyAndNeverRejected(string capture, EventCategory queue)
    {
        using var fixture = new PipelineFixture(_transport);
        var body = File.ReadAllBytes(Path.Combine(PipelineFixture.RepositoryRoot(), "samples", "bitbucket", capture));

        var result = await fixture.Pipeline.DeliverAsync(body, null, queue);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(0, result.RecipientCount);
        Assert.Equal(0, result.MessagesSent);
        Assert.EndsWith("nobody to notify", result.ToString(), StringComparison.Ordinal);
        await _transport.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
        Assert.Contains(fixture.Logger.Entries, e => e.Id.Id == 1001);
    }

    [Fact]
    public async Task ADeletedCommentOnTheWrongQueueIsRejected()
    {
        using var fixture = new PipelineFixture(_transport);
        var body = File.ReadAllBytes(Path.Combine(PipelineFixture.RepositoryRoot(), "samples", "bitbucket", "pr_comment_deleted.json"));

        var result = await fixture.Pipeline.DeliverAsync(body, null, EventCategory.Repository);

        Assert.Equal(DeliveryOutcome.Rejected, result.Outcome);
        Assert.Contains("does not belong on this queue", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropsWithTheServersReasonAndHintWhenNothingWasSent()
    {
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new SmtpException("could not connect to mail.example.com:25: connection refused", "check Mail__Host and Mail__Port"));
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.opened"), null, EventCategory.PullRequest);

        Assert.Equal(DeliveryOutcome.Dropped, result.Outcome);
        Assert.Contains("connection refused", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Mail__Host", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, result.MessagesSent);
        Assert.Contains(fixture.Logger.Entries, e => e.Level == LogLevel.Error && e.Id.Id == 1002 && e.Text.Contains("connection refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADroppedEventOfSeveralEmailsLogsOneErrorLineWithTheMessageId()
    {
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new SmtpException("could not connect to mail.example.com:25: connection refused"));
        using var fixture = new PipelineFixture(_transport);
        Assert.True(fixture.Pipeline.Prepare(PipelineFixture.Sample("pullrequest.opened"), null, null).Messages.Count >= 2);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.opened"), null, EventCategory.PullRequest, "sb-message-7");

        Assert.Equal(DeliveryOutcome.Dropped, result.Outcome);
        var error = Assert.Single(fixture.Logger.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(1002, error.Id.Id);
        Assert.Contains("message sb-message-7", error.Text, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pullrequest.opened", "sb-1", "{\"type\": \"pullrequest.opened\"}")]
    [InlineData("account.created", "sb-2", null)]
    [InlineData("repository.pushed", null, null)]
    public async Task EveryOutcomeLineNamesTheMessageAndNeverSaysNull(string sample, string? messageId, string? body)
    {
        using var fixture = new PipelineFixture(_transport);

        await fixture.Pipeline.DeliverAsync(body is null ? PipelineFixture.Sample(sample) : Encoding.UTF8.GetBytes(body), null, EventCategory.Repository, messageId);
        await fixture.Pipeline.DeliverAsync(Encoding.UTF8.GetBytes("not json"), null, null, messageId);

        var outcomes = fixture.Logger.Entries.Where(e => e.Id.Id is 1000 or 1001 or 1002 or 1003).ToList();
        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, e => Assert.Contains($"message {messageId ?? "unknown"}", e.Text, StringComparison.Ordinal));
        Assert.All(fixture.Logger.Entries, e => Assert.DoesNotContain("(null)", e.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAccountEventOnTheWrongQueueIsDescribedInGoodEnglish()
    {
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("account.created"), null, EventCategory.PullRequest);

        Assert.StartsWith("an account.created event does not belong on this queue", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropsWhenTheTransportFailsWithAnUnexpectedException()
    {
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>()).ThrowsAsync(new IOException("broken pipe"));
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("repository.pushed"), null, EventCategory.Repository);

        Assert.Equal(DeliveryOutcome.Dropped, result.Outcome);
        Assert.Contains("broken pipe", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliveredWhenAtLeastOneOfTheEmailsWasAccepted()
    {
        var calls = 0;
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>()).Returns(call =>
            Interlocked.Increment(ref calls) == 1
                ? throw new SmtpException("452 4.2.2 mailbox full")
                : new SendResult(call.Arg<EmailMessage>().Recipients, [], "250 ok"));
        using var fixture = new PipelineFixture(_transport);
        var prepared = fixture.Pipeline.Prepare(PipelineFixture.Sample("pullrequest.opened"), null, EventCategory.PullRequest);
        Assert.True(prepared.Messages.Count >= 2, "the sample should produce at least two emails");

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.opened"), null, EventCategory.PullRequest);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(prepared.Messages.Count - 1, result.MessagesSent);
        Assert.Contains(fixture.Logger.Entries, e => e.Id.Id == 1005 && e.Text.Contains("mailbox full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListsRecipientsTheServerRefused()
    {
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            var message = call.Arg<EmailMessage>();
            return new SendResult([], [new RecipientRefusal(message.Recipients[0], 550, "5.1.1", "550 5.1.1 no such user")], "250 ok");
        });
        using var fixture = new PipelineFixture(_transport);

        var result = await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.merged"), null, EventCategory.PullRequest);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.NotEmpty(result.Refused);
        Assert.Contains(fixture.Logger.Entries, e => e.Id.Id == 1004 && e.Text.Contains("no such user", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancellationIsNotAnOutcomeSoTheHostCanRedeliver()
    {
        using var cancellation = new CancellationTokenSource();
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>()).Returns<Task<SendResult>>(_ =>
        {
            cancellation.Cancel();
            throw new OperationCanceledException(cancellation.Token);
        });
        using var fixture = new PipelineFixture(_transport);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.opened"), null, EventCategory.PullRequest, cancellation.Token));
    }

    [Fact]
    public async Task NeverLogsTheAccountLinkEvenWhenSendingFails()
    {
        _transport.SendAsync(Arg.Any<EmailMessage>(), Arg.Any<CancellationToken>()).ThrowsAsync(new SmtpException("421 service not available"));
        using var fixture = new PipelineFixture(_transport);
        var body = PipelineFixture.Sample("account.password-reset");
        var link = JsonDocument.Parse(body).RootElement.GetProperty("account").GetProperty("resetUrl").GetString()!;

        var result = await fixture.Pipeline.DeliverAsync(body, null, EventCategory.Account);

        Assert.Equal(DeliveryOutcome.Dropped, result.Outcome);
        Assert.NotEmpty(fixture.Logger.Entries);
        Assert.DoesNotContain(fixture.Logger.Entries, e => e.Text.Contains(link, StringComparison.Ordinal));
        Assert.DoesNotContain(link, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountsEventsByOutcomeAndTypeAndRecordsSendLatency()
    {
        var counted = new List<(string Instrument, long Value, string? Outcome, string? Type)>();
        var latencies = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DeliveryMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null, type = null;
            foreach (var tag in tags)
            {
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                type = tag.Key == "type" ? tag.Value as string : type;
            }

            lock (counted)
            {
                counted.Add((instrument.Name, value, outcome, type));
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (latencies)
            {
                latencies.Add(value);
            }
        });
        listener.Start();
        using var fixture = new PipelineFixture(_transport);

        await fixture.Pipeline.DeliverAsync(PipelineFixture.Sample("pullrequest.approved"), null, EventCategory.PullRequest);
        await fixture.Pipeline.DeliverAsync(Encoding.UTF8.GetBytes("{"), null, EventCategory.PullRequest);

        lock (counted)
        {
            Assert.Contains(counted, c => c.Instrument == "notifier.events" && c.Outcome == "delivered" && c.Type == "pullrequest.approved");
            Assert.Contains(counted, c => c.Instrument == "notifier.events" && c.Outcome == "rejected" && c.Type == "unknown");
        }

        lock (latencies)
        {
            Assert.NotEmpty(latencies);
        }
    }

    [Fact]
    public void PrepareStopsBeforeSendingSoRenderCanUseIt()
    {
        using var fixture = new PipelineFixture(_transport);

        var prepared = fixture.Pipeline.Prepare(PipelineFixture.Sample("pullrequest.comment.added"), null, null);

        Assert.False(prepared.IsRejected, prepared.RejectionReason);
        Assert.NotEmpty(prepared.Messages);
        Assert.All(prepared.Messages, m => Assert.NotEmpty(m.Recipients));
        Assert.Empty(_transport.ReceivedCalls());
    }
}
