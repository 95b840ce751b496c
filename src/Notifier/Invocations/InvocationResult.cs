using System.Text.Json.Serialization;

namespace Notifier.Invocations;

/// <summary>
/// The answer to the host: <c>{"Outputs": {binding: value}, "Logs": [...], "ReturnValue": ...}</c>. Outputs
/// feed the function's output bindings (<c>rejected</c>, <c>res</c>); Logs appear in the host's log.
/// </summary>
internal sealed class InvocationResult
{
    [JsonPropertyName("Outputs")]
    public Dictionary<string, object?> Outputs { get; } = [];

    [JsonPropertyName("Logs")]
    public List<string> Logs { get; } = [];

    [JsonPropertyName("ReturnValue")]
    public object? ReturnValue { get; set; }
}
