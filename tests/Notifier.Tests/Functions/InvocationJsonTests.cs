using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
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

        Assert.Equal(
            """{"Outputs":{"res":{"statusCode":202,"body":"{}","headers":{"Content-Type":"application/json; charset=utf-8"}},"rejected":"{\"reason\":\"é\"}"},"Logs":["a log line"],"ReturnValue":{"outcome":"dropped","eventId":"evt-1","reason":"mail server down","duplicate":false}}""",
            Encoding.UTF8.GetString(InvocationResponse.ToUtf8(answer)));
    }

    [Fact]
    public void AnAnswerWithoutValuesStillHasEveryMember()
    {
        var answer = new InvocationResult { ReturnValue = new FunctionReturnValue("delivered", null, null, Duplicate: true) };

        Assert.Equal(
            """{"Outputs":{},"Logs":[],"ReturnValue":{"outcome":"delivered","eventId":null,"reason":null,"duplicate":true}}""",
            Encoding.UTF8.GetString(InvocationResponse.ToUtf8(answer)));
        Assert.Equal("""{"Outputs":{},"Logs":[],"ReturnValue":null}""", Encoding.UTF8.GetString(InvocationResponse.ToUtf8(new InvocationResult())));
    }

    [Fact]
    public void AFlushWritesItsErrorOnlyWhenItStoppedEarly()
    {
        Assert.Equal(
            """{"ReturnValue":{"digests":1,"items":2,"delivered":0,"dropped":1,"error":"store down"}}""",
            ReturnValueOf(new FlushReturnValue(1, 2, 0, 1, "store down")));
        Assert.Equal("""{"ReturnValue":{"digests":0,"items":0,"delivered":0,"dropped":0}}""", ReturnValueOf(FlushReturnValue.Nothing));
    }

    [Fact]
    public void AValueOfATypeTheHostProtocolDoesNotCarryFailsLoudly()
    {
        var answer = new InvocationResult { ReturnValue = new { digests = 0 } };

        var error = Assert.Throws<NotSupportedException>(() => InvocationResponse.ToUtf8(answer));
        Assert.Contains("InvocationResult.WriteValue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHttpAnswerIsTheJsonWithItsStatusCode()
    {
        var answer = new InvocationResult { ReturnValue = FlushReturnValue.Nothing };
        answer.Logs.Add("flushed");
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await new InvocationResponse(answer, StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(InvocationResponse.ToUtf8(answer), body.ToArray());
    }

    private static string ReturnValueOf(FlushReturnValue value)
    {
        using var document = JsonDocument.Parse(InvocationResponse.ToUtf8(new InvocationResult { ReturnValue = value }));
        return "{\"ReturnValue\":" + document.RootElement.GetProperty("ReturnValue").GetRawText() + "}";
    }
}
