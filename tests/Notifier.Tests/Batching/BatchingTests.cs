using Microsoft.Extensions.Logging;
using Notifier.Notifications.Delivery;
using Notifier.Smtp.Tests.Servers;
using Notifier.Tests.Storage;

namespace Notifier.Tests.Batching;

/// <summary>
/// Batching end to end inside one process: the real pipeline, the table store on a real Azurite server, the
/// flusher, the renderer and the outbox transport, with a clock the test moves.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BatchingTests(AzuriteTableFixture azurite) : IClassFixture<AzuriteTableFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private BatchingStack Stack(IReadOnlyDictionary<string, string?>? settings = null) => new(azurite.ConnectionString, settings, Start);

    private static List<DecodedMessage> To(IEnumerable<DecodedMessage> mail, string address) =>
        [.. mail.Where(m => m.To.Any(t => string.Equals(t.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>Three things Mei Lin does to pull request #482 within a few minutes.</summary>
    private static async Task DeliverMeisReviewAsync(BatchingStack stack)
    {
        foreach (var body in new[]
        {
            TestEvent.Sample("pullrequest.comment.edited", "edit-1", Start),
            TestEvent.Sample("pullrequest.approved", "approve-1", Start.AddMinutes(1)),
            TestEvent.Sample("pullrequest.unapproved", "unapprove-1", Start.AddMinutes(2)),
        })
        {
            var result = await stack.DeliverAsync(body);
            Assert.Equal(DeliveryOutcome.Batched, result.Outcome);
            stack.Clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task ThreeEventsForOneReviewerBecomeOneDigestWithAllThreeItemsInOrder()
    {
        await using var stack = Stack();
        await DeliverMeisReviewAsync(stack);
        Assert.Empty(await stack.MailAsync());

        stack.Clock.Advance(TimeSpan.FromMinutes(10));
        var flushed = await stack.FlushAsync();

        var digest = Assert.Single(To(await stack.MailAsync(), "tomas.alvarez@example.com"));
        Assert.Equal("3", digest.Header("X-Notifier-Batch-Size"));
        Assert.Equal("Re: [PAY/ledger-service] Add retry budget to the settlement client (PR #482)", digest.Subject);
        Assert.Equal("<pr.PAY.ledger-service.482@notifier.localhost>", digest.Header("In-Reply-To"));
        Assert.StartsWith("3 updates on pull request #482 in PAY/ledger-service.", digest.TextLf, StringComparison.Ordinal);
        var text = digest.TextLf!;
        var edited = text.IndexOf("Mei Lin edited a comment on pull request #482.", StringComparison.Ordinal);
        var approved = text.IndexOf("Mei Lin approved pull request #482.", StringComparison.Ordinal);
        var withdrawn = text.IndexOf("Mei Lin withdrew their approval of pull request #482.", StringComparison.Ordinal);
        Assert.True(edited >= 0 && edited < approved && approved < withdrawn, text);
        Assert.Contains("Mei Lin approved pull request #482.", digest.Html, StringComparison.Ordinal);
        Assert.Contains("https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482", digest.Html, StringComparison.Ordinal);
        Assert.True(flushed.Digests >= 2, flushed.ToString());
        Assert.Equal(flushed.Digests, flushed.Delivered);
    }

    [Fact]
    public async Task TwoRecipientsGetTwoDigestsEachWithEveryItem()
    {
        await using var stack = Stack();
        await DeliverMeisReviewAsync(stack);

        stack.Clock.Advance(TimeSpan.FromMinutes(10));
        await stack.FlushAsync();

        var mail = await stack.MailAsync();
        Assert.Single(To(mail, "tomas.alvarez@example.com"));
        var author = Assert.Single(To(mail, "priya.raman@example.com"));
        Assert.Equal("3", author.Header("X-Notifier-Batch-Size"));
        Assert.Equal("author", author.Header("X-Notifier-Reason"));
        Assert.DoesNotContain(mail, m => m.To.Any(t => t.Address == "mei.lin@example.com"));
    }

    [Fact]
    public async Task TheQuietPeriodSendsTheDigestOnlyOnceNothingWasAddedForThatLong()
    {
        await using var stack = Stack();
        await stack.DeliverAsync(TestEvent.Sample("pullrequest.approved", "approve-1", Start));

        stack.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, (await stack.FlushAsync()).Digests);
        Assert.Empty(await stack.MailAsync());

        stack.Clock.Advance(TimeSpan.FromMinutes(1));
        var flushed = await stack.FlushAsync();

        Assert.Equal(2, flushed.Digests);
        var single = Assert.Single(To(await stack.MailAsync(), "tomas.alvarez@example.com"));
        // A batch of one is the ordinary email, with the header.
        Assert.Equal("1", single.Header("X-Notifier-Batch-Size"));
        Assert.Equal("pullrequest.approved", single.Header("X-Notifier-Event"));
        Assert.StartsWith("Mei Lin approved pull request #482.", single.TextLf, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMaximumDelaySendsABusyDigestThatNeverGoesQuiet()
    {
        await using var stack = Stack();
        for (var i = 0; i < 6; i++)
        {
            await stack.DeliverAsync(TestEvent.Sample("pullrequest.comment.edited", $"edit-{i}", Start.AddMinutes(5 * i)));
            stack.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
            Assert.Equal(0, (await stack.FlushAsync()).Digests);
            stack.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // 30 minutes after the first item: the quiet period never passed, the limit did.
        var flushed = await stack.FlushAsync();

        Assert.True(flushed.Digests >= 1, flushed.ToString());
        var digest = Assert.Single(To(await stack.MailAsync(), "tomas.alvarez@example.com"));
        Assert.Equal("6", digest.Header("X-Notifier-Batch-Size"));
    }

    [Fact]
    public async Task APullRequestOpenedGoesOutAtOnce()
    {
        await using var stack = Stack();

        var result = await stack.DeliverAsync(TestEvent.Sample("pullrequest.opened"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.NotEmpty(await stack.MailAsync());
        Assert.Equal(0, (await stack.FlushAsync(all: true)).Digests);
    }

    [Fact]
    public async Task AReviewerAddedHearsAtOnceWhileTheOthersWait()
    {
        await using var stack = Stack();

        var result = await stack.DeliverAsync(TestEvent.Sample("pullrequest.reviewers.updated"));

        Assert.True(result.MessagesSent > 0 && result.Batched > 0, result.ToString());
        var now = await stack.MailAsync();
        stack.Clock.Advance(TimeSpan.FromMinutes(10));
        await stack.FlushAsync();
        var later = (await stack.MailAsync()).Count - now.Count;
        Assert.Equal(result.Batched, later);
    }

    [Fact]
    public async Task ARecipientTheProducerMarksImmediateIsNotBatched()
    {
        await using var stack = Stack();
        var body = TestEvent.Sample("pullrequest.approved", change: json => json["recipients"] = System.Text.Json.Nodes.JsonNode.Parse(
            """[{"name": "tomas", "email": "tomas.alvarez@example.com", "immediate": true}, {"name": "priya.raman", "email": "priya.raman@example.com"}]"""));

        var result = await stack.DeliverAsync(body);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(1, result.Batched);
        var sent = Assert.Single(await stack.MailAsync());
        Assert.Equal("tomas.alvarez@example.com", sent.To[0].Address);
    }

    [Fact]
    public async Task ImmediateModeSendsEveryEventAtOnceAsBefore()
    {
        await using var stack = Stack(new Dictionary<string, string?> { ["Notifications:Batching:Mode"] = "Immediate" });

        var result = await stack.DeliverAsync(TestEvent.Sample("pullrequest.approved"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(0, result.Batched);
        var mail = await stack.MailAsync();
        Assert.Equal(2, mail.Count);
        Assert.All(mail, m => Assert.Null(m.Header("X-Notifier-Batch-Size")));
        Assert.Equal(0, (await stack.FlushAsync(all: true)).Digests);
    }

    [Fact]
    public async Task RepositoryEventsWaitOnlyWhenRepositoriesAreBatchedToo()
    {
        await using var immediate = Stack();
        Assert.Equal(DeliveryOutcome.Delivered, (await immediate.DeliverAsync(TestEvent.Sample("commit.comment.added"))).Outcome);

        await using var batched = Stack(new Dictionary<string, string?> { ["Notifications:Batching:Repositories"] = "true" });
        Assert.Equal(DeliveryOutcome.Batched, (await batched.DeliverAsync(TestEvent.Sample("commit.comment.added", "c-1", Start))).Outcome);
        Assert.Equal(DeliveryOutcome.Batched, (await batched.DeliverAsync(TestEvent.Sample("commit.comment.edited", "c-2", Start.AddMinutes(1)))).Outcome);
        Assert.Equal(DeliveryOutcome.Delivered, (await batched.DeliverAsync(TestEvent.Sample("account.password-reset"))).Outcome);

        batched.Clock.Advance(TimeSpan.FromMinutes(11));
        await batched.FlushAsync();
        var digests = (await batched.MailAsync()).Where(m => m.Header("X-Notifier-Batch-Size") is not null).ToList();
        Assert.NotEmpty(digests);
        Assert.Contains(digests, d => d.Subject == "[PAY/ledger-service] 2 updates");
    }

    [Fact]
    public async Task ARedeliveredEventIsNotAddedTwice()
    {
        await using var stack = Stack();
        var body = TestEvent.Sample("pullrequest.approved", "approve-1", Start);

        await stack.DeliverAsync(body);
        var again = await stack.DeliverAsync(body);

        Assert.Equal(DeliveryOutcome.Batched, again.Outcome);
        Assert.Contains(stack.Logs.Entries, e => e.EventId == 1102);
        await stack.FlushAsync(all: true);
        var digest = Assert.Single(To(await stack.MailAsync(), "tomas.alvarez@example.com"));
        Assert.Equal("1", digest.Header("X-Notifier-Batch-Size"));
    }

    [Fact]
    public async Task TwoFlushersAtTheSameMomentSendEachDigestOnce()
    {
        await using var stack = Stack();
        await using var other = Stack();
        for (var i = 0; i < 20; i++)
        {
            await stack.DeliverAsync(TestEvent.Sample("pullrequest.approved", $"approve-{i}", Start, json => json["pullRequest"]!["id"] = 1000 + i));
        }

        var results = await Task.WhenAll(stack.FlushAsync(all: true), other.FlushAsync(all: true));

        Assert.Equal(40, results.Sum(r => r.Digests));
        var mail = (await stack.MailAsync()).Concat(await other.MailAsync()).ToList();
        Assert.Equal(40, mail.Count);
        Assert.Equal(40, mail.Select(m => (m.To[0].Address, m.Subject)).Distinct().Count());
    }

    [Fact]
    public async Task AFailedDigestSendDropsTheWholeDigestWithTheReasonAndIsNotRetried()
    {
        using var down = new RefusingPort();
        var closedPort = down.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var stack = Stack(new Dictionary<string, string?>
        {
            ["Mail:Host"] = "127.0.0.1",
            ["Mail:Port"] = closedPort,
            ["Mail:Tls"] = "None",
            ["Mail:From"] = "Code Review <noreply@example.com>",
            ["Mail:ConnectTimeout"] = "00:00:05",
        });
        await DeliverMeisReviewAsync(stack);

        var flushed = await stack.FlushAsync(all: true);

        Assert.Equal(flushed.Digests, flushed.Dropped);
        // Reviewer and author: one digest of three updates each, both dropped with the reason.
        var drops = stack.Logs.Entries.Where(e => e.EventId == 1104).ToList();
        Assert.Equal(2, drops.Count);
        Assert.All(drops, drop =>
        {
            Assert.Equal(LogLevel.Error, drop.Level);
            Assert.Contains("a digest of 3 update(s) about pr:PAY/ledger-service/482", drop.Message, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1", drop.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, (await stack.FlushAsync(all: true)).Digests);
    }

    [Fact]
    public async Task WithTheStoreUnreachableTheEventIsSentAtOnceWithAWarning()
    {
        using var down = new RefusingPort();
        var closed = down.Port;
        await using var stack = new BatchingStack($"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{closed}/{AzuriteServer.AccountName};", start: Start);

        var result = await stack.DeliverAsync(TestEvent.Sample("pullrequest.approved"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(2, (await stack.MailAsync()).Count);
        var warning = Assert.Single(stack.Logs.Entries, e => e.EventId == 1100);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("could not be reached", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, string.Join('\n', stack.Logs.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }
}
