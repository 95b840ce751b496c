using System.Text;
using System.Text.Json.Nodes;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Events;

public sealed class EventParserHostileInputTests
{
    private readonly EventParser _parser = new();

    private static string Sample(string type) => File.ReadAllText(RepositoryFiles.Sample(type));

    private EventParseResult Parse(string json, string? eventKey = null) => _parser.Parse(Encoding.UTF8.GetBytes(json), eventKey);

    [Fact]
    public void OversizedBodyIsRejectedBeforeParsing()
    {
        var body = new byte[300 * 1024];
        body.AsSpan().Fill((byte)'[');

        var result = _parser.Parse(body);

        Assert.Equal("body is 300 KB; the limit is 256 KB", result.Error);
    }

    [Fact]
    public void BodyJustUnderTheLimitIsRead()
    {
        var json = JsonNode.Parse(Sample(EventTypes.PullRequestOpened))!;
        var size = Encoding.UTF8.GetByteCount(json.ToJsonString());
        json["pullRequest"]!["description"] = new string('x', EventLimits.MaxBodyBytes - size - 10);

        var result = Parse(json.ToJsonString());

        Assert.True(result.IsSuccess, result.Error);
    }

    [Fact]
    public void OneMegabyteDescriptionIsRejectedAsTooLarge()
    {
        var json = JsonNode.Parse(Sample(EventTypes.PullRequestOpened))!;
        json["pullRequest"]!["description"] = new string('x', 1024 * 1024);

        var result = Parse(json.ToJsonString());

        Assert.Matches("^body is 10[0-9]{2} KB; the limit is 256 KB$", result.Error);
    }

    [Fact]
    public void TooManyRecipientsAreRejected()
    {
        var json = JsonNode.Parse(Sample(EventTypes.RepositoryDeleted))!;
        var recipients = new JsonArray();
        for (var i = 0; i < 600; i++)
        {
            recipients.Add(new JsonObject { ["name"] = $"u{i}", ["email"] = $"u{i}@example.com" });
        }

        json["recipients"] = recipients;

        Assert.Equal("recipients: 600 entries; the limit is 500", Parse(json.ToJsonString()).Error);
    }

    [Fact]
    public void DeepNestingIsRejectedNotRecursedInto()
    {
        var json = Sample(EventTypes.PullRequestOpened).Replace("\"specVersion\": \"1.0\",", $"\"x\": {new string('[', 10_000)}{new string(']', 10_000)}, \"specVersion\": \"1.0\",", StringComparison.Ordinal);

        var result = Parse(json);

        Assert.StartsWith("not JSON:", result.Error, StringComparison.Ordinal);
        Assert.Contains("depth", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DuplicateKeysAreRejected()
    {
        // Two "type" properties: readers that keep the first and readers that keep the last would disagree.
        var json = Sample(EventTypes.PullRequestOpened).Replace("\"type\": \"pullrequest.opened\",", "\"type\": \"pullrequest.opened\", \"type\": \"account.created\",", StringComparison.Ordinal);

        var result = Parse(json);

        Assert.StartsWith("not JSON:", result.Error, StringComparison.Ordinal);
        Assert.Contains("type", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKeysInsideAPartAreRejected()
    {
        var json = Sample(EventTypes.PullRequestOpened).Replace("\"title\": \"Add retry budget", "\"title\": \"x\", \"title\": \"Add retry budget", StringComparison.Ordinal);

        Assert.StartsWith("not JSON:", Parse(json).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "body is empty")]
    [InlineData("   \r\n", "body is empty")]
    [InlineData("hello", "not JSON:")]
    [InlineData("{\"type\": ", "not JSON:")]
    [InlineData("[1, 2, 3]", "event: expected a JSON object, got an array")]
    [InlineData("\"pullrequest.opened\"", "event: expected a JSON object, got a string")]
    [InlineData("{}", "specVersion: required string")]
    [InlineData("{\"specVersion\": 1.0}", "specVersion: required string, got a number")]
    public void NonEventsAreRejectedWithAReason(string body, string reason)
    {
        var result = Parse(body);

        Assert.False(result.IsSuccess);
        Assert.StartsWith(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8IsRejected()
    {
        var body = Encoding.UTF8.GetBytes(Sample(EventTypes.PullRequestOpened)).ToArray();
        var at = Array.IndexOf(body, (byte)'A');
        body[at] = 0xFF;

        Assert.Contains(": not valid text", _parser.Parse(body).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ByteOrderMarkIsAccepted()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(RepositoryFiles.SampleBytes(EventTypes.PullRequestOpened)).ToArray();

        Assert.True(_parser.Parse(body).IsSuccess);
    }

    [Fact]
    public void EscapedLoneSurrogateIsRejectedAsNotText()
    {
        var json = Sample(EventTypes.PullRequestOpened).Replace("\"title\": \"Add retry budget", "\"title\": \"\\ud800Add retry budget", StringComparison.Ordinal);

        Assert.StartsWith("pullRequest.title: not valid text", Parse(json).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"id\": 482", "\"id\": 482.5", "pullRequest.id: expected an integer of at least 1")]
    [InlineData("\"id\": 482", "\"id\": 0", "pullRequest.id: expected an integer of at least 1")]
    [InlineData("\"id\": 482", "\"id\": 99999999999999999999999", "pullRequest.id: expected an integer of at least 1")]
    [InlineData("\"reviewers\": [", "\"reviewers\": {\"a\": 1}, \"x\": [", "pullRequest.reviewers: expected an array, got an object")]
    [InlineData("\"state\": \"OPEN\"", "\"state\": [\"OPEN\"]", "pullRequest.state: expected a string, got an array")]
    [InlineData("\"description\": \"Settlement", "\"description\": true, \"x\": \"Settlement", "pullRequest.description: expected a string or null, got a boolean")]
    [InlineData("\"url\": \"https://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482\"", "\"url\": null", "pullRequest.url: expected a string, got null")]
    public void WrongTypesAreRejectedNamingTheField(string find, string replace, string reason)
    {
        var json = Sample(EventTypes.PullRequestOpened);
        var at = json.IndexOf(find, StringComparison.Ordinal);
        json = string.Concat(json.AsSpan(0, at), replace, json.AsSpan(at + find.Length));

        Assert.StartsWith(reason, Parse(json).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://git.example.com/passwordreset?token=abc\r\nBcc: x@evil.org")]
    [InlineData("https://git.example .com/passwordreset?token=abc")]
    [InlineData("//git.example.com/passwordreset?token=abc")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("ftp://git.example.com/passwordreset?token=abc")]
    public void UnusableAccountLinksAreRejectedWithoutEchoingThem(string link)
    {
        var json = JsonNode.Parse(Sample(EventTypes.AccountCreated))!;
        json["account"]!["setPasswordUrl"] = link;

        var result = Parse(json.ToJsonString());

        Assert.Equal("account.setPasswordUrl: must be an absolute https URL", result.Error);
        Assert.DoesNotContain("token", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CrLfInNamesAndTitlesIsKeptVerbatimForTheRendererToNeutralise()
    {
        // The parser is not the place to drop data: the recipient resolver and the renderer make such values safe
        // (see RecipientResolverTests.DisplayNameWithCrLfCannotCreateAHeader).
        var json = JsonNode.Parse(Sample(EventTypes.PullRequestOpened))!;
        json["actor"]!["displayName"] = "Priya\r\nBcc: everyone@example.com";
        json["pullRequest"]!["title"] = "Fix\r\nX-Injected: yes";

        var e = Parse(json.ToJsonString()).Event!;

        Assert.Equal("Priya\r\nBcc: everyone@example.com", e.Actor.DisplayName);
        Assert.Equal("Fix\r\nX-Injected: yes", e.PullRequest!.Title);
    }

    [Fact]
    public void UnknownTypeIsShownPrintably()
    {
        var json = JsonNode.Parse(Sample(EventTypes.PullRequestOpened))!;
        json["type"] = "evil\r\ntype" + new string('x', 200);

        var error = Parse(json.ToJsonString()).Error!;

        Assert.StartsWith("type: unknown type 'evil\\u000d\\u000atype", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.True(error.Length < 120, error);
    }

    [Fact]
    public void CanonicalBodyWinsOverAStrayEventKeyProperty()
    {
        var result = _parser.Parse(RepositoryFiles.SampleBytes(EventTypes.PullRequestOpened), "pr:deleted");

        Assert.Equal(EventTypes.PullRequestOpened, result.Event!.Type);
    }

    [Fact]
    public void CanonicalEventWithAnEventKeyPropertyStaysCanonical()
    {
        var json = Sample(EventTypes.PullRequestOpened).Replace("\"specVersion\": \"1.0\",", "\"specVersion\": \"1.0\", \"eventKey\": \"pr:deleted\",", StringComparison.Ordinal);

        Assert.Equal(EventTypes.PullRequestOpened, Parse(json).Event!.Type);
    }
}
