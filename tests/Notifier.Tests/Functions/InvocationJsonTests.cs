using System.Text.Json;
using Notifier.Functions;
using Notifier.Invocations;

namespace Notifier.Tests.Functions;

public sealed class InvocationJsonTests
{
    [Fact]
    public void EveryValueAnAnswerCarriesIsWrittenWithTheHostsNames()
    {
        var answer = new InvocationResult { ReturnValue = new FunctionReturnValue("dropped", "evt-1", "mail server down", Duplicate: false) };
        answer.Outputs[FunctionCatalog.HttpResponseBinding] = HttpOutput.Json(202, "{}");
        answer.Outputs[FunctionCatalog.RejectedBinding] = "{\"reason\":\"é\"}";
        answer.Logs.Add("a log line");

        var json = JsonSerializer.Serialize(answer, InvocationJson.Options);

        Assert.Equal(
            """{"Outputs":{"res":{"statusCode":202,"body":"{}","headers":{"Content-Type":"application/json; charset=utf-8"}},"rejected":"{\"reason\":\"é\"}"},"Logs":["a log line"],"ReturnValue":{"outcome":"dropped","eventId":"evt-1","reason":"mail server down","duplicate":false}}""",
            json);
    }

    [Fact]
    public void AFlushWritesItsErrorOnlyWhenItStoppedEarly()
    {
        Assert.Equal(
            """{"ReturnValue":{"digests":1,"items":2,"delivered":0,"dropped":1,"error":"store down"}}""",
            Serialize(new FlushReturnValue(1, 2, 0, 1, "store down")));
        Assert.Equal("""{"ReturnValue":{"digests":0,"items":0,"delivered":0,"dropped":0}}""", Serialize(FlushReturnValue.Nothing));
    }

    [Fact]
    public void AValueOfATypeTheGeneratedMetadataDoesNotListFailsLoudly()
    {
        var answer = new InvocationResult { ReturnValue = new { digests = 0 } };

        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(answer, InvocationJson.Options));
    }

    private static string Serialize(FlushReturnValue value)
    {
        var json = JsonSerializer.Serialize(new InvocationResult { ReturnValue = value }, InvocationJson.Options);
        using var document = JsonDocument.Parse(json);
        return "{\"ReturnValue\":" + document.RootElement.GetProperty("ReturnValue").GetRawText() + "}";
    }
}
