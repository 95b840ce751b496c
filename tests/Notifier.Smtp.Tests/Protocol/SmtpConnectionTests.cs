using Notifier.Smtp.Messages;
using Notifier.Smtp.Protocol;
using Notifier.Smtp.Tests.Support;
using static Notifier.Smtp.Tests.Support.SmtpTesting;

namespace Notifier.Smtp.Tests.Protocol;

public sealed class SmtpConnectionTests
{
    public static TheoryData<bool> Delivery => new() { false, true };

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task EhloMultilineReplyIsReadIntoCapabilities(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("PIPELINING", "SIZE 10240000", "STARTTLS", "AUTH PLAIN LOGIN CRAM-MD5", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING");
        await using var connection = Connection(server);

        await connection.EstablishAsync(null, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal(
            SmtpCapabilities.Extended | SmtpCapabilities.Pipelining | SmtpCapabilities.Size | SmtpCapabilities.StartTls | SmtpCapabilities.Authentication
            | SmtpCapabilities.EightBitMime | SmtpCapabilities.SmtpUtf8 | SmtpCapabilities.EnhancedStatusCodes | SmtpCapabilities.Chunking,
            connection.Capabilities);
        Assert.Equal(SmtpAuthMechanisms.Plain | SmtpAuthMechanisms.Login | SmtpAuthMechanisms.CramMd5, connection.AuthMechanisms);
        Assert.Equal(10240000, connection.MaxMessageSize);
        Assert.Equal("220 mail.example.com ESMTP test", connection.Greeting!.ToString());
        Assert.False(connection.IsEncrypted);
    }

    [Fact]
    public async Task BlankEhloLinesNameNoExtension()
    {
        // Postfix's smtp-sink pads its keywords and ends the list with "250 ".
        var server = new TranscriptStream()
            .Reply("220 smtp-sink ESMTP")
            .ExpectPrefix("EHLO ")
            .Reply("250-smtp-sink", "250-PIPELINING ", "250-DSN ", "250 ");
        await using var connection = Connection(server);

        await connection.EstablishAsync(null, null, CancellationToken.None);

        Assert.Equal(["PIPELINING", "DSN"], connection.Extensions);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task MultilineReplyWhoseCodesDifferIsAProtocolError(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Reply("220 mail.example.com ESMTP")
            .ExpectPrefix("EHLO ")
            .Reply("250-mail.example.com", "251 PIPELINING");
        await using var connection = Connection(server);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("different codes (250 then 251)", error.Message, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
    }

    [Theory]
    [InlineData("hello there")]
    [InlineData("22 short")]
    [InlineData("220x no separator")]
    [InlineData("620 not a reply class")]
    public async Task LineThatIsNotAReplyIsAProtocolError(string greeting)
    {
        var server = new TranscriptStream().Reply(greeting);
        await using var connection = Connection(server);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("not an SMTP reply", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__Host", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndlessReplyLineIsAProtocolError()
    {
        var server = new TranscriptStream().Raw("220 " + new string('x', 20_000));
        await using var connection = Connection(server);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("a reply line longer than 8192 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3", "[10.1.2.3]")]
    [InlineData("::ffff:10.1.2.3", "[10.1.2.3]")]
    [InlineData("2001:db8::1", "[IPv6:2001:db8::1]")]
    public void EhloAddressLiteralFollowsRfc5321(string address, string expected)
    {
        Assert.Equal(expected, SmtpConnection.AddressLiteral(System.Net.IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(550, "5.1.1 no such user", "5.1.1")]
    [InlineData(451, "4.3.0 try later", "4.3.0")]
    [InlineData(250, "2.0.0 Ok: queued", "2.0.0")]
    [InlineData(250, "2.1.10 Ok", "2.1.10")]
    [InlineData(550, "4.1.1 class differs from the code", null)]
    [InlineData(550, "no enhanced code", null)]
    [InlineData(550, "5.1 incomplete", null)]
    [InlineData(550, "5.1.1234 too long", null)]
    [InlineData(550, "5.1.1x glued", null)]
    public void EnhancedStatusCodeIsParsedOnlyWhenWellFormed(int code, string text, string? expected)
    {
        Assert.Equal(expected, SmtpReply.ParseEnhancedStatus(code, text));
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task HeloIsUsedWhenTheServerRefusesEhlo(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Reply("220 old.example.com SMTP")
            .ExpectPrefix("EHLO ")
            .Reply("502 5.5.2 command not recognized")
            .ExpectPrefix("HELO ")
            .Reply("250 old.example.com")
            .Expect("MAIL FROM:<noreply@example.com>")
            .Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>")
            .Reply("250 ok")
            .Expect("DATA")
            .Reply("354 go ahead")
            .ExpectContent()
            .Reply("250 queued");
        await using var connection = Connection(server);

        await connection.EstablishAsync(null, null, CancellationToken.None);
        var result = await connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal(SmtpCapabilities.None, connection.Capabilities);
        Assert.Equal("250 queued", result.ServerReply);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task PipeliningSendsMailRcptAndDataInOneWriteAndContentWithTerminatorInAnother(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 2.1.0 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 2.1.5 ok")
            .Expect("RCPT TO:<joe@example.com>").Reply("250 2.1.5 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 2.0.0 queued as ABC");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);
        var writesBefore = server.Writes.Count;

        var result = await connection.SendAsync(From, [Jane, Joe], Message(), null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal(
            ["MAIL FROM:<noreply@example.com>\r\nRCPT TO:<jane@example.com>\r\nRCPT TO:<joe@example.com>\r\nDATA\r\n", Received() + ".\r\n"],
            server.Writes.Skip(writesBefore));
        Assert.Equal([Jane, Joe], result.Accepted);
        Assert.Empty(result.Refused);
        Assert.Equal("250 2.0.0 queued as ABC", result.ServerReply);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task WithoutPipeliningEachCommandWaitsForItsReply(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("8BITMIME")
            .AcceptMessage();
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);
        var writesBefore = server.Writes.Count;

        await connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal(
            ["MAIL FROM:<noreply@example.com>\r\n", "RCPT TO:<jane@example.com>\r\n", "DATA\r\n", Received() + ".\r\n"],
            server.Writes.Skip(writesBefore));
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task SizeLimitRefusesTooLargeMessageBeforeMailFrom(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime).Greet("PIPELINING", "SIZE 100");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpException>(() =>
            connection.SendAsync(From, [Jane], Message(new string('x', 200)), null, CancellationToken.None));

        Assert.Contains("accepts at most 100 (SIZE)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.ClientLines, l => l.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.False(connection.IsBroken);
    }

    [Fact]
    public async Task SizeIsDeclaredOnMailFromWhenOffered()
    {
        var message = Message();
        var server = new TranscriptStream()
            .Greet("SIZE 1000000")
            .Expect($"MAIL FROM:<noreply@example.com> SIZE={message.Length}").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 queued");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        await connection.SendAsync(From, [Jane], message, null, CancellationToken.None);

        server.AssertCompleted();
    }

    [Fact]
    public async Task EightBitContentIsDeclaredWithBody8BitMime()
    {
        var message = System.Text.Encoding.UTF8.GetBytes("Subject: x\r\n\r\nGrüße\r\n");
        var server = new TranscriptStream()
            .Greet("8BITMIME")
            .Expect("MAIL FROM:<noreply@example.com> BODY=8BITMIME").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 queued");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        await connection.SendAsync(From, [Jane], message, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal("Subject: x\r\n\r\nGrüße\r\n", server.Messages.Single());
    }

    [Fact]
    public async Task NonAsciiAddressUsesSmtpUtf8WhenOffered()
    {
        var server = new TranscriptStream()
            .Greet("SMTPUTF8", "8BITMIME")
            .Expect("MAIL FROM:<noreply@example.com> SMTPUTF8").Reply("250 ok")
            .Expect("RCPT TO:<jürgen@exämple.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 queued");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        await connection.SendAsync(From, [new Mailbox("jürgen@exämple.com")], Message(), null, CancellationToken.None);

        server.AssertCompleted();
    }

    [Fact]
    public async Task NonAsciiAddressWithoutSmtpUtf8IsRefusedBeforeMailFrom()
    {
        var server = new TranscriptStream().Greet("8BITMIME");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpException>(() =>
            connection.SendAsync(From, [new Mailbox("jürgen@exämple.com")], Message(), null, CancellationToken.None));

        Assert.Contains("needs SMTPUTF8", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.ClientLines, l => l.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task ContentIsDotStuffedAndLineEndsBecomeCrlf(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("PIPELINING")
            .AcceptMessage();
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var raw = System.Text.Encoding.ASCII.GetBytes("Subject: dots\n\n.leading dot\r\n..two\rbare cr\n.\nlast line without break");
        await connection.SendAsync(From, [Jane], raw, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal("Subject: dots\r\n\r\n..leading dot\r\n...two\r\nbare cr\r\n..\r\nlast line without break\r\n", server.Messages.Single());
        Assert.EndsWith("last line without break\r\n.\r\n", server.Writes[^1], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task RefusedRecipientIsReportedAndTheOthersStillGetTheMessage(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime)
            .Greet("PIPELINING", "ENHANCEDSTATUSCODES")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 2.1.0 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("550 5.1.1 <jane@example.com>: no such user")
            .Expect("RCPT TO:<joe@example.com>").Reply("250 2.1.5 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 2.0.0 queued");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var result = await connection.SendAsync(From, [Jane, Joe], Message(), null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal([Joe], result.Accepted);
        var refusal = Assert.Single(result.Refused);
        Assert.Equal(Jane, refusal.Recipient);
        Assert.Equal(550, refusal.Code);
        Assert.Equal("5.1.1", refusal.EnhancedStatus);
        Assert.Equal("550 5.1.1 <jane@example.com>: no such user", refusal.Reply);
        Assert.Single(server.Messages);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WhenEveryRecipientIsRefusedNothingIsSentAndTheRepliesAreReported(bool pipelining)
    {
        var server = new TranscriptStream().Greet(pipelining ? ["PIPELINING"] : ["8BITMIME"])
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("550 5.1.1 no such user")
            .Expect("RCPT TO:<joe@example.com>").Reply("450 4.2.1 mailbox busy");
        if (pipelining)
        {
            server.Expect("DATA").Reply("554 5.5.1 no valid recipients");
        }

        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => connection.SendAsync(From, [Jane, Joe], Message(), null, CancellationToken.None));

        server.AssertCompleted();
        Assert.Empty(server.Messages);
        Assert.Equal(SmtpReplyCode.MailboxUnavailable, error.Code);
        Assert.Equal("5.1.1", error.EnhancedStatus);
        Assert.Equal("jane@example.com", error.Mailbox);
        Assert.Contains("jane@example.com (550 5.1.1 no such user); joe@example.com (450 4.2.1 mailbox busy)", error.Message, StringComparison.Ordinal);
        Assert.False(connection.IsBroken);
    }

    [Fact]
    public async Task ServerThatAcceptsDataWithoutRecipientsGetsAnEmptyMessage()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("550 no")
            .Expect("DATA").Reply("354 go ahead")
            .Expect(".").Reply("554 no valid recipients");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        await Assert.ThrowsAsync<SmtpCommandException>(() => connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None));

        server.AssertCompleted();
        Assert.DoesNotContain(server.Writes, w => w.Contains("Subject:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedSenderIsReportedWithItsMailboxAndTheSessionStaysUsable()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("553 5.7.1 sender not allowed")
            .Expect("RCPT TO:<jane@example.com>").Reply("503 5.5.1 need MAIL")
            .Expect("DATA").Reply("503 5.5.1 need RCPT")
            .Expect("RSET").Reply("250 ok")
            .AcceptMessage();
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None));
        var result = await connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal("noreply@example.com", error.Mailbox);
        Assert.Equal(SmtpReplyCode.MailboxNameNotAllowed, error.Code);
        Assert.Contains("Mail__From", error.Hint, StringComparison.Ordinal);
        Assert.Equal("250 queued", result.ServerReply);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task TemporaryFailureAfterDataIsAServerRefusal(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime).Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("451 4.3.0 local error in processing");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None));

        Assert.Equal(SmtpReplyCode.ErrorInProcessing, error.Code);
        Assert.True(error.IsTransient);
        Assert.Equal("4.3.0", error.EnhancedStatus);
        Assert.Contains("after DATA", error.Message, StringComparison.Ordinal);
        Assert.False(connection.IsBroken);
    }

    [Fact]
    public async Task ServiceNotAvailableBreaksTheConnection()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("421 4.3.2 shutting down")
            .Expect("RCPT TO:<jane@example.com>").Reply("421 4.3.2 shutting down")
            .Expect("DATA").Reply("421 4.3.2 shutting down");
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None));

        Assert.Equal(SmtpReplyCode.ServiceNotAvailable, error.Code);
        Assert.True(connection.IsBroken);
        Assert.False(connection.PayloadSent);
    }

    [Fact]
    public async Task GreetingWith421IsReportedAsRefusal()
    {
        var server = new TranscriptStream().Reply("421 4.7.0 mail.example.com too many connections");
        await using var connection = Connection(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Equal(SmtpReplyCode.ServiceNotAvailable, error.Code);
        Assert.Contains("refused the session in its greeting", error.Message, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
    }

    [Theory]
    [MemberData(nameof(Delivery))]
    public async Task ServerClosingDuringDataIsABrokenConversation(bool oneByteAtATime)
    {
        var server = new TranscriptStream(oneByteAtATime).Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Hangup();
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None));

        Assert.Contains("closed the connection unexpectedly during DATA", error.Message, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
        Assert.True(connection.PayloadSent);
    }

    [Fact]
    public async Task SilentServerMakesTheCommandTimeoutFire()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>")
            .Stall();
        await using var connection = Connection(server, TestOptions(o => o.CommandTimeout = TimeSpan.FromMilliseconds(200)));
        await connection.EstablishAsync(null, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None));

        Assert.Contains("did not answer within 200 ms during MAIL FROM", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__CommandTimeout", error.Hint, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task SilentServerBeforeGreetingMakesTheTimeoutFire()
    {
        var server = new TranscriptStream().Stall();
        await using var connection = Connection(server, TestOptions(o => o.CommandTimeout = TimeSpan.FromMilliseconds(200)));

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("sent no SMTP greeting within 200 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__Protocol=Smtps", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentServerOnPort465SaysToUseSmtps()
    {
        var server = new TranscriptStream().Stall();
        await using var connection = Connection(server, TestOptions(o =>
        {
            o.Port = 465;
            o.CommandTimeout = TimeSpan.FromMilliseconds(200);
        }));

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.StartsWith("port 465 expects TLS from the first byte: set Mail__Protocol=Smtps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsRecordInsteadOfGreetingSaysToUseSmtps()
    {
        var server = new TranscriptStream().Raw("\u0016\u0003\u0001\u0000\u0002\u0002\u0028");
        await using var connection = Connection(server);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("answered with TLS instead of an SMTP greeting", error.Message, StringComparison.Ordinal);
        Assert.Equal("set Mail__Protocol=Smtps", error.Hint);
    }

    [Fact]
    public async Task CancellationStopsAWaitingCommand()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>")
            .Stall();
        await using var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.SendAsync(From, [Jane], Message(), null, cancel.Token));

        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task CancellationStopsTheSessionSetup()
    {
        var server = new TranscriptStream().Stall();
        await using var connection = Connection(server);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.EstablishAsync(null, null, cancel.Token));
    }

    [Fact]
    public async Task QuitIsSentAndTheStreamClosed()
    {
        var server = new TranscriptStream().Greet().Expect("QUIT").Reply("221 bye");
        var connection = Connection(server);
        await connection.EstablishAsync(null, null, CancellationToken.None);

        await connection.QuitAsync(CancellationToken.None);

        server.AssertCompleted();
        Assert.True(server.Disposed);
    }
}
