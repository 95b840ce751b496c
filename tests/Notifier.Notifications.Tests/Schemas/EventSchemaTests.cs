using System.Diagnostics;
using System.Text.Json;
using NJsonSchema;
using Notifier.Notifications.Events;
using Notifier.Notifications.Tests.Events;

namespace Notifier.Notifications.Tests.Schemas;

public sealed class EventSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFileAsync(RepositoryFiles.Schema).GetAwaiter().GetResult());

    public static TheoryData<string> Types() => new(EventTypes.All);

    [Fact]
    public void ThereIsExactlyOneSamplePerCanonicalType()
    {
        var files = Directory.GetFiles(RepositoryFiles.SamplesDirectory, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(EventTypes.All.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public void SchemaListsEveryCanonicalTypeAndNoOther()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Schema));
        var listed = schema.RootElement.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(EventTypes.All, listed);
    }

    [Fact]
    public void SchemaListLimitsMatchTheParsersLimit()
    {
        var schema = File.ReadAllText(RepositoryFiles.Schema);
        var limits = System.Text.RegularExpressions.Regex.Matches(schema, "\"maxItems\": ([0-9]+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.NotEmpty(limits);
        Assert.All(limits, limit => Assert.Equal(EventLimits.MaxRecipients, limit));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void SampleValidatesAgainstTheSchema(string type)
    {
        var errors = Schema.Value.Validate(File.ReadAllText(RepositoryFiles.Sample(type)));
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [MemberData(nameof(InvalidEvents.Names), MemberType = typeof(InvalidEvents))]
    public void SchemaRejectsTheInvalidEvent(string name)
    {
        var (json, _) = InvalidEvents.Get(name);
        Assert.NotEmpty(Schema.Value.Validate(json));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void PythonJsonschemaAcceptsEverySampleAndRejectsEveryInvalidEvent()
    {
        // An independent implementation (python3-jsonschema, Draft 7 with format checks), so the schema is not
        // only graded by the library our own tests use.
        var work = Directory.CreateTempSubdirectory("notifier-schema-");
        try
        {
            var invalidDirectory = work.CreateSubdirectory("invalid");
            var index = 0;
            foreach (var (_, json, _) in InvalidEvents.All())
            {
                File.WriteAllText(Path.Combine(invalidDirectory.FullName, $"{index++:D3}.json"), json);
            }

            var script = Path.Combine(work.FullName, "validate.py");
            File.WriteAllText(script, """
                import json, pathlib, sys, jsonschema
                schema = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
                jsonschema.Draft7Validator.check_schema(schema)
                validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
                def errors(path):
                    return [e.message for e in validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))]
                report = {
                    "valid": {p.name: errors(p) for p in sorted(pathlib.Path(sys.argv[2]).glob("*.json"))},
                    "invalid": {p.name: errors(p) for p in sorted(pathlib.Path(sys.argv[3]).glob("*.json"))},
                }
                print(json.dumps(report))
                """);
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { script, RepositoryFiles.Schema, RepositoryFiles.SamplesDirectory, invalidDirectory.FullName })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error);

            using var report = JsonDocument.Parse(output);
            var valid = report.RootElement.GetProperty("valid").EnumerateObject().ToList();
            Assert.Equal(EventTypes.All.Count, valid.Count);
            Assert.All(valid, sample => Assert.True(sample.Value.GetArrayLength() == 0, $"{sample.Name}: {sample.Value}"));
            var invalid = report.RootElement.GetProperty("invalid").EnumerateObject().ToList();
            Assert.Equal(index, invalid.Count);
            Assert.All(invalid, broken => Assert.True(broken.Value.GetArrayLength() > 0, $"{broken.Name} was accepted"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
