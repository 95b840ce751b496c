using System.Text.Json;

namespace Notifier.Invocations;

/// <summary>
/// The answer to the host: <c>{"Outputs": {binding: value}, "Logs": [...], "ReturnValue": ...}</c>. Outputs
/// feed the function's output bindings (<c>rejected</c>, <c>res</c>); Logs appear in the host's log.
/// </summary>
internal sealed class InvocationResult
{
    /// <summary>Binding name to value: a string, an <see cref="HttpOutput"/> or null.</summary>
    public Dictionary<string, object?> Outputs { get; } = [];

    public List<string> Logs { get; } = [];

    /// <summary>A <see cref="FunctionReturnValue"/>, a <see cref="FlushReturnValue"/> or null.</summary>
    public object? ReturnValue { get; set; }

    /// <summary>
    /// Writes the answer with the names the host expects. Written by hand rather than by the serializer: the
    /// shape is small and fixed, and the serializer's first answer (its metadata, the object-typed values'
    /// runtime types) was the largest single cost of the first invocation after a cold start
    /// (bench/README-app.md).
    /// </summary>
    /// <exception cref="NotSupportedException">A value of a type the host protocol does not carry.</exception>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("Outputs");
        foreach (var (binding, value) in Outputs)
        {
            writer.WritePropertyName(binding);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("Logs");
        foreach (var line in Logs)
        {
            writer.WriteStringValue(line);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("ReturnValue");
        WriteValue(writer, ReturnValue);
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case HttpOutput http:
                http.WriteTo(writer);
                break;
            case FunctionReturnValue outcome:
                outcome.WriteTo(writer);
                break;
            case FlushReturnValue flush:
                flush.WriteTo(writer);
                break;
            default:
                throw new NotSupportedException($"the host's answer cannot carry a {value.GetType()}: write it in InvocationResult.WriteValue");
        }
    }
}
