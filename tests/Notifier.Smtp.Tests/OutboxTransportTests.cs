using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Mime;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Smtp.Tests;

public sealed class OutboxTransportTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "notifier-outbox-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task WritesEachMessageAsAnEmlFileInACreatedFolderAndAcceptsAllRecipients()
    {
        var folder = Path.Combine(_root, "nested", "outbox");
        var transport = Transport(folder);
        var message = TestMessages.Create(
            subject: "Pull request #42: Café",
            to: [new Mailbox("a@example.com"), new Mailbox("b@example.com", "Bé")],
            text: "Hello\n.\n",
            html: "<p>Hello</p>");

        var result = await transport.SendAsync(message);

        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.EndsWith(".eml", file, StringComparison.Ordinal);
        Assert.Equal(message.To, result.Accepted);
        Assert.Empty(result.Refused);
        Assert.Equal($"written to {file}", result.ServerReply);
        var decoded = (await PythonEmailParser.DecodeFilesAsync([file]))[0];
        Assert.Equal("Pull request #42: Café", decoded.Subject);
        Assert.Equal("Hello\n.\n", decoded.TextLf);
        Assert.Equal(["a@example.com", "b@example.com"], decoded.To.Select(t => t.Address));
    }

    [Fact]
    public async Task NamesFilesByTimeEventTypeAndRecipient()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 3, 4, 5, 678, TimeSpan.Zero));
        var transport = new OutboxTransport(new MailOptions { OutboxDirectory = _root }, NullLogger<OutboxTransport>.Instance, time);

        await transport.SendAsync(TestMessages.Create(
            to: [new Mailbox("tomas.novak@example.com", "Tomáš")],
            headers: [new("X-Notifier-Event", "pullrequest.comment.added")],
            messageId: "pr/42+x@notifier.example.com"));

        Assert.Equal("2026-11-22T03-04-05.678Z_pullrequest.comment.added_tomas.novak@example.com.eml", Path.GetFileName(Assert.Single(Directory.GetFiles(_root))));
    }

    [Fact]
    public async Task ANameKeepsAnOddRecipientWholeWithSafeCharactersOnly()
    {
        var transport = new OutboxTransport(new MailOptions { OutboxDirectory = _root }, NullLogger<OutboxTransport>.Instance, new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 3, 4, 5, 678, TimeSpan.Zero)));

        await transport.SendAsync(TestMessages.Create(to: [new Mailbox($"o'brien/b+c.{new string('d', 40)}@{new string('e', 50)}.example.com")]));

        Assert.Equal(
            $"2026-11-22T03-04-05.678Z_message_o_brien_b_c.{new string('d', 40)}@{new string('e', 50)}.example.com.eml",
            Path.GetFileName(Assert.Single(Directory.GetFiles(_root))));
    }

    [Fact]
    public async Task ANameCutToFitNeverEndsInADot()
    {
        var transport = new OutboxTransport(new MailOptions { OutboxDirectory = _root }, NullLogger<OutboxTransport>.Instance, new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 3, 4, 5, 678, TimeSpan.Zero)));
        // The 150th character, where the name is cut, is a dot.
        var address = $"{new string('a', 50)}@{new string('d', 60)}.{new string('e', 37)}.{new string('f', 30)}.com";
        Assert.Equal('.', address[149]);

        await transport.SendAsync(TestMessages.Create(to: [new Mailbox(address)]));

        var name = Path.GetFileName(Assert.Single(Directory.GetFiles(_root)));
        Assert.Equal($"2026-11-22T03-04-05.678Z_message_{address[..149]}.eml", name);
        Assert.DoesNotContain("..", name, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task NeverOverwritesAMessageWithTheSameNameAndLeavesNoTemporaryFiles()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 3, 4, 5, TimeSpan.Zero));
        var transport = new OutboxTransport(new MailOptions { OutboxDirectory = _root }, NullLogger<OutboxTransport>.Instance, time);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            transport.SendAsync(TestMessages.Create(subject: $"n{i}", messageId: "same@example.com"))));

        var files = Directory.GetFiles(_root);
        Assert.Equal(8, files.Length);
        Assert.All(files, f => Assert.EndsWith(".eml", f, StringComparison.Ordinal));
        var subjects = (await PythonEmailParser.DecodeFilesAsync(files)).Select(d => d.Subject).Order();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"n{i}").Order(), subjects);
    }

    [Fact]
    public async Task ExplainsWhichSettingToChangeWhenTheFolderCannotBeWritten()
    {
        Directory.CreateDirectory(_root);
        var blocker = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");

        var error = await Assert.ThrowsAsync<SmtpException>(() => Transport(Path.Combine(blocker, "outbox")).SendAsync(TestMessages.Create()));

        Assert.Contains("Mail__OutboxDirectory", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesAnInvalidMessageWithoutWritingAFile()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Transport(_root).SendAsync(TestMessages.Create(subject: "a\r\nBcc: x@example.com")));

        Assert.False(Directory.Exists(_root) && Directory.EnumerateFileSystemEntries(_root).Any());
    }

    private static OutboxTransport Transport(string folder) =>
        new(new MailOptions { OutboxDirectory = folder }, NullLogger<OutboxTransport>.Instance);
}
