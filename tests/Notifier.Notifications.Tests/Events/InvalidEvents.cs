using System.Text.Json.Nodes;

namespace Notifier.Notifications.Tests.Events;

/// <summary>
/// Broken variants of the samples, each with the reason the parser gives. The schema tests check that the
/// schema rejects every one of them too, so schema and parser keep accepting the same events.
/// </summary>
public static class InvalidEvents
{
    public static IEnumerable<(string Name, string Json, string Reason)> All()
    {
        yield return Case("title missing", "pullrequest.opened", e => e["pullRequest"]!.AsObject().Remove("title"), "pullRequest.title: required string");
        yield return Case("title empty", "pullrequest.opened", e => e["pullRequest"]!["title"] = "", "pullRequest.title: must not be empty");
        yield return Case("time not a date", "pullrequest.merged", e => e["time"] = "yesterday", "time: not a date");
        yield return Case("time without offset", "pullrequest.merged", e => e["time"] = "2026-11-21T09:02:17", "time: not a date");
        yield return Case("unknown type", "pullrequest.opened", e => e["type"] = "pullrequest.exploded", "type: unknown type 'pullrequest.exploded'");
        yield return Case("spec version", "pullrequest.opened", e => e["specVersion"] = "2.0", "specVersion: '2.0' is not supported");
        yield return Case("actor missing", "pullrequest.approved", e => e.Remove("actor"), "actor: required object");
        yield return Case("actor is a string", "pullrequest.approved", e => e["actor"] = "mei.lin", "actor: required object, got a string");
        yield return Case("pull request id is a string", "pullrequest.opened", e => e["pullRequest"]!["id"] = "482", "pullRequest.id: required integer, got a string");
        yield return Case("pull request missing", "pullrequest.declined", e => e.Remove("pullRequest"), "pullRequest: required for pullrequest.declined");
        yield return Case("review status unknown", "pullrequest.approved", e => e["pullRequest"]!["reviewers"]![1]!["status"] = "MAYBE", "pullRequest.reviewers[1].status: 'MAYBE' is not one of");
        yield return Case("reviewer without name", "pullrequest.approved", e => e["pullRequest"]!["reviewers"]![0]!["user"]!.AsObject().Remove("name"), "pullRequest.reviewers[0].user.name: required string");
        yield return Case("comment missing", "pullrequest.comment.added", e => e.Remove("comment"), "comment: required for pullrequest.comment.added");
        yield return Case("parent comment without author", "pullrequest.comment.added", e => e["comment"]!["parent"]!.AsObject().Remove("author"), "comment.parent.author: required object");
        yield return Case("reply without the comment replied to", "pullrequest.comment.replied", e => e["comment"]!.AsObject().Remove("parent"), "comment.parent: required for pullrequest.comment.replied");
        yield return Case("reply with a parent id that is not a number", "pullrequest.comment.replied", e => e["comment"]!["parentId"] = "9142", "comment.parentId: expected an integer of at least 0, got a string");
        yield return Case("commit missing", "commit.comment.added", e => e.Remove("commit"), "commit: required for commit.comment.added");
        yield return Case("commit id not a hash", "commit.comment.added", e => e["commit"]!["id"] = "HEAD~1", "commit.id: expected a commit hash");
        yield return Case("push missing", "repository.pushed", e => e.Remove("push"), "push: required for repository.pushed");
        yield return Case("push without refs", "repository.pushed", e => e["push"]!["changes"] = new JsonArray(), "push.changes: must name at least one ref");
        yield return Case("origin missing", "repository.forked", e => e.Remove("origin"), "origin: required for repository.forked");
        yield return Case("changes missing", "repository.modified", e => e.Remove("changes"), "changes: required for repository.modified");
        yield return Case("url not http", "pullrequest.opened", e => e["pullRequest"]!["url"] = "javascript:alert(1)", "pullRequest.url: must be an absolute http or https URL");
        yield return Case("account link javascript", "account.created", e => e["account"]!["setPasswordUrl"] = "javascript:alert(document.cookie)", "account.setPasswordUrl: must be an absolute https URL");
        yield return Case("account link http", "account.password-reset", e => e["account"]!["resetUrl"] = "http://git.example.com/passwordreset?token=abc", "account.resetUrl: must be an absolute https URL");
        yield return Case("account link missing", "account.created", e => e["account"]!.AsObject().Remove("setPasswordUrl"), "account.setPasswordUrl: required for account.created");
        yield return Case("account without email", "account.password-reset", e => e["account"]!["user"]!.AsObject().Remove("email"), "account.user.email: required string");
        yield return Case("account without expiry", "account.created", e => e["account"]!.AsObject().Remove("expiresAt"), "account.expiresAt: required string");
        yield return Case("recipients over the limit", "repository.pushed", e => e["recipients"] = TooManyRecipients(), "recipients: 501 entries; the limit is 500");
        yield return Case("recipient immediate not a boolean", "pullrequest.approved", e => e["recipients"] = new JsonArray(new JsonObject { ["name"] = "tomas", ["email"] = "tomas.alvarez@example.com", ["immediate"] = "yes" }), "recipients[0].immediate: must be true or false");
        yield return Case("recipient not an object", "repository.deleted", e => e["recipients"]![0] = "priya.raman@example.com", "recipients[0]: expected an object, got a string");
    }

    private static JsonArray TooManyRecipients()
    {
        var array = new JsonArray();
        for (var i = 0; i < 501; i++)
        {
            array.Add(new JsonObject { ["name"] = $"user{i}", ["email"] = $"user{i}@example.com" });
        }

        return array;
    }

    private static (string, string, string) Case(string name, string sample, Action<JsonObject> change, string reason)
    {
        var json = JsonNode.Parse(File.ReadAllText(RepositoryFiles.Sample(sample)))!.AsObject();
        change(json);
        return (name, json.ToJsonString(), reason);
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _, _) in All())
        {
            data.Add(name);
        }

        return data;
    }

    public static (string Json, string Reason) Get(string name)
    {
        var found = All().Single(c => c.Name == name);
        return (found.Json, found.Reason);
    }
}
