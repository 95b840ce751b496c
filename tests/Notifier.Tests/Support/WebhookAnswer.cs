using System.Text.Json;

namespace Notifier.Tests.Support;

/// <summary>The handler's answer to a BitbucketWebhook invocation: the caller's response and the queue outputs.</summary>
internal sealed record WebhookAnswer(InvocationAnswer Invocation)
{
    private JsonElement Res => Invocation.Outputs.GetProperty("res");

    /// <summary>The HTTP status the caller (Bitbucket) gets.</summary>
    public int Status => Res.GetProperty("statusCode").GetInt32();

    /// <summary>The caller's JSON body.</summary>
    public JsonElement Body => JsonDocument.Parse(Res.GetProperty("body").GetString()!).RootElement.Clone();

    /// <summary>Every output binding set, in name order.</summary>
    public IReadOnlyList<string> OutputNames => [.. Invocation.Outputs.EnumerateObject().Select(o => o.Name).Order(StringComparer.Ordinal)];

    public string Raw => Invocation.Json.GetRawText();

    /// <summary>The message body sent to an output queue binding; null when that output is not set.</summary>
    public string? Forwarded(string binding) =>
        Invocation.Outputs.TryGetProperty(binding, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
