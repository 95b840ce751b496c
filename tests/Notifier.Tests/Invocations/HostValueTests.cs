using System.Text;
using System.Text.Json;
using Notifier.Invocations;

namespace Notifier.Tests.Invocations;

public sealed class HostValueTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void ABase64BodyIsDecodedToItsRawBytes()
    {
        byte[] raw = [0x7b, 0x22, 0xff, 0x00];

        Assert.Equal(raw, HostValue.AsBody(Json(JsonSerializer.Serialize(Convert.ToBase64String(raw)))));
    }

    [Fact]
    public void AJsonBodyTheHostParsedIsReturnedAsItsOriginalText()
    {
        const string body = "{\"type\": \"pullrequest.opened\",\n \"id\": \"1\"}";

        Assert.Equal(body, Encoding.UTF8.GetString(HostValue.AsBody(Json($"{{\"m\": {body}}}").GetProperty("m"))));
    }

    [Theory]
    [InlineData("{\"type\":\"x\"}")]
    [InlineData("not json at all")]
    [InlineData("[1,2]")]
    public void ABodySentAsTextIsReturnedAsThatText(string body)
    {
        Assert.Equal(body, Encoding.UTF8.GetString(HostValue.AsBody(Json(JsonSerializer.Serialize(body)))));
    }

    [Fact]
    public void ABodyEncodedTwiceIsUnwrapped()
    {
        const string body = "{\"type\":\"x\"}";
        var twice = JsonSerializer.Serialize(JsonSerializer.Serialize(body));

        Assert.Equal(body, Encoding.UTF8.GetString(HostValue.AsBody(Json(twice))));
    }

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("\"\\\"abc\\\"\"", "abc")]
    [InlineData("42", "42")]
    [InlineData("null", null)]
    public void StringsAreReadInEitherForm(string json, string? expected) =>
        Assert.Equal(expected, HostValue.AsString(Json(json)));

    [Theory]
    [InlineData("3", 3)]
    [InlineData("\"3\"", 3)]
    [InlineData("\"x\"", null)]
    public void NumbersAreReadInEitherForm(string json, int? expected) =>
        Assert.Equal(expected, HostValue.AsInt(Json(json)));

    [Theory]
    [InlineData("{\"X-Event-Key\":\"pr:opened\"}")]
    [InlineData("\"{\\\"X-Event-Key\\\":\\\"pr:opened\\\"}\"")]
    public void ObjectsAreReadInEitherForm(string json)
    {
        var value = HostValue.AsObject(Json(json));

        Assert.Equal("pr:opened", value!.Value.GetProperty("X-Event-Key").GetString());
    }

    [Fact]
    public async Task AnInvocationReadsMessageIdDeliveryCountContentTypeAndEventKey()
    {
        const string json = """
            {"Data":{"message":"e30="},"Metadata":{"MessageId":"\"m-1\"","DeliveryCount":"2","ContentType":"\"application/json\"",
             "UserProperties":"{\"X-Event-Key\":\"pr:merged\"}"}}
            """;

        var body = await Invocation.ReadBodyAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), CancellationToken.None);

        Assert.True(Invocation.TryParse(body, out var invocation, out var error), error);
        using var document = invocation.Document;
        Assert.Equal("m-1", invocation.MessageId);
        Assert.Equal(2, invocation.DeliveryCount);
        Assert.Equal("application/json", invocation.ContentType);
        Assert.Equal("pr:merged", invocation.EventKey);
        Assert.Equal("{}", Encoding.UTF8.GetString(HostValue.AsBody(invocation.Binding("message")!.Value)));
    }

    [Fact]
    public async Task ABindingUnderAnotherNameIsStillFoundWhenItIsTheOnlyOne()
    {
        Assert.True(Invocation.TryParse("{\"Data\":{\"mySbMsg\":\"e30=\"},\"Metadata\":{}}"u8.ToArray(), out var invocation, out var error), error);

        using var document = invocation.Document;
        Assert.NotNull(invocation.Binding("message"));
    }
}
