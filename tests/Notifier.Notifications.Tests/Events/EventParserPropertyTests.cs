using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Notifier.Notifications.Events;

namespace Notifier.Notifications.Tests.Events;

public sealed class EventParserPropertyTests
{
    private static readonly EventParser Parser = new();

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500);

    /// <summary>Strings users can type, mixed with the ones that break naive code.</summary>
    private static readonly string[] Nasty =
    [
        "", " ", "\r\n", "Bcc: everyone@example.com\r\n", "<script>alert(1)</script>", "javascript:alert(1)", "\"", "\\", "\0",
        "\u202eevil", "שלום עולם", "🙂🚀", "𝄞", "ﬀ", "a\u0301", "}\"]}", "\\u0000", "%0d%0a", "=?utf-8?q?x?=",
    ];

    private static readonly Gen<string> Text = Gen.Frequency(
        (3, ArbMap.Default.ArbFor<string>().Generator.Select(ValidUtf16)),
        (1, Gen.Elements(Nasty)));

    private static readonly Gen<string> NonEmptyText = Text.Select(s => s.Length == 0 ? "x" : s);

    private static readonly byte[][] Bodies =
    [
        .. EventTypes.All.Select(RepositoryFiles.SampleBytes),
        .. Directory.GetFiles(RepositoryFiles.BitbucketDirectory, "*.json", SearchOption.AllDirectories).Select(File.ReadAllBytes),
    ];

    [Fact]
    public void ArbitraryBytesNeverMakeParseThrow()
    {
        var property = Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => Answers(Parser.Parse(bytes ?? [])));
        Check.One(Config, property);
    }

    [Fact]
    public void ArbitraryTextAndEventKeysNeverMakeParseThrow()
    {
        var property = Prop.ForAll(
            Gen.Zip(Text, Gen.Elements<string?>(null, "pr:opened", "repo:refs_changed", "pr:comment:deleted", "\r\n", "")).ToArbitrary(),
            input => Answers(Parser.Parse(Encoding.UTF8.GetBytes(input.Item1), input.Item2)));
        Check.One(Config, property);
    }

    [Fact]
    public void CorruptedSamplesAndCapturesNeverMakeParseThrow()
    {
        // Real bodies with a few bytes overwritten, cut short or spliced: they get much further into the readers
        // than random bytes do.
        var corrupted =
            from body in Gen.Elements(Bodies)
            from position in Gen.Choose(0, 1_000_000)
            from replacement in ArbMap.Default.ArbFor<byte[]>().Generator
            from cut in Gen.Elements(false, true)
            select Corrupt(body, position % body.Length, replacement ?? [], cut);
        var property = Prop.ForAll(corrupted.ToArbitrary(), body => Answers(Parser.Parse(body)));
        Check.One(Config, property);
    }

    [Fact]
    public void ArbitraryValuesInEveryJsonStringOfASampleNeverMakeParseThrow()
    {
        var property = Prop.ForAll(
            Gen.Zip(Gen.Elements(Bodies), Gen.Zip(Text, Gen.Choose(0, 10_000))).ToArbitrary(),
            input =>
            {
                var node = JsonNode.Parse(input.Item1)!;
                ReplaceNthString(node, input.Item2.Item2, input.Item2.Item1);
                return Answers(Parser.Parse(Encoding.UTF8.GetBytes(node.ToJsonString())));
            });
        Check.One(Config, property);
    }

    [Fact]
    public void ArbitraryStringsInUserControlledFieldsSurviveAParseRoundTrip()
    {
        var values = Gen.ArrayOf(Text, 9).Zip(Gen.ArrayOf(NonEmptyText, 4));
        var property = Prop.ForAll(values.ToArbitrary(), input =>
        {
            var (free, required) = input;
            var json = JsonNode.Parse(File.ReadAllText(RepositoryFiles.Sample(EventTypes.PullRequestCommentAdded)))!;
            json["actor"]!["displayName"] = free[0];
            json["pullRequest"]!["title"] = required[0];
            json["pullRequest"]!["description"] = free[1];
            json["pullRequest"]!["source"]!["name"] = required[1];
            json["pullRequest"]!["reviewers"]![0]!["user"]!["displayName"] = free[2];
            json["pullRequest"]!["reviewers"]![0]!["user"]!["email"] = free[3];
            json["pullRequest"]!["author"]!["name"] = required[2];
            json["comment"]!["text"] = free[4];
            json["comment"]!["parent"]!["text"] = free[5];
            json["comment"]!["path"] = free[6];
            json["repository"]!["name"] = free[7];
            json["repository"]!["projectName"] = free[8];
            json["id"] = required[3].Length > 200 ? required[3][..200] : required[3];

            var result = Parser.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()));

            var e = result.Event;
            return e is not null
                && e.Actor.DisplayName == free[0]
                && e.PullRequest!.Title == required[0]
                && e.PullRequest.Description == free[1]
                && e.PullRequest.Source.Name == required[1]
                && e.PullRequest.Reviewers[0].User.DisplayName == free[2]
                && e.PullRequest.Reviewers[0].User.Email == free[3]
                && e.PullRequest.Author.Name == required[2]
                && e.Comment!.Text == free[4]
                && e.Comment.Parent!.Text == free[5]
                && e.Comment.Path == free[6]
                && e.Repository!.Name == free[7]
                && e.Repository.ProjectName == free[8]
                && e.Id == (required[3].Length > 200 ? required[3][..200] : required[3]);
        });
        Check.One(Config, property);
    }

    /// <summary>An event, a rejection with a reason, or a valid event without email (and then no error).</summary>
    private static bool Answers(EventParseResult result) =>
        result.IsSuccess || Rejects(result) || (result.IsWithoutEmail && result.Error is null && !string.IsNullOrWhiteSpace(result.EventId));

    private static bool Rejects(EventParseResult result) => !result.IsSuccess && !string.IsNullOrWhiteSpace(result.Error) && !result.Error.Contains('\n', StringComparison.Ordinal);

    /// <summary>Arbitrary .NET strings may hold lone surrogates, which no JSON writer can encode; replace them as UTF-8 would.</summary>
    private static string ValidUtf16(string? value) => value is null ? "" : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));

    private static byte[] Corrupt(byte[] body, int position, byte[] replacement, bool cut)
    {
        if (cut)
        {
            return body[..position];
        }

        var copy = body.ToArray();
        replacement.AsSpan(0, Math.Min(replacement.Length, copy.Length - position)).CopyTo(copy.AsSpan(position));
        return copy;
    }

    private static void ReplaceNthString(JsonNode node, int n, string value)
    {
        var strings = new List<JsonValue>();
        Collect(node, strings);
        if (strings.Count == 0)
        {
            return;
        }

        var target = strings[n % strings.Count];
        target.ReplaceWith(value);
    }

    private static void Collect(JsonNode? node, List<JsonValue> strings)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj.ToList())
                {
                    Collect(property.Value, strings);
                }

                break;
            case JsonArray array:
                foreach (var item in array.ToList())
                {
                    Collect(item, strings);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                strings.Add(value);
                break;
        }
    }
}
