using System.Text.Json;
using Notifier.Invocations;

namespace Notifier.Functions;

/// <summary>A function's HTTP response to the host: its <see cref="InvocationResult"/> as JSON, with a status code.</summary>
internal sealed class InvocationAnswer(InvocationResult result, int statusCode = StatusCodes.Status200OK) : IResult
{
    public InvocationResult Result { get; } = result;

    public int StatusCode { get; } = statusCode;

    /// <summary>The answer as the host reads it (tests and the warm-up).</summary>
    public static byte[] ToUtf8(InvocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, InvocationJson.Answer))
        {
            result.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        // Straight into the response's pipe; disposing the writer commits what it wrote.
        using (var writer = new Utf8JsonWriter(response.BodyWriter, InvocationJson.Answer))
        {
            Result.WriteTo(writer);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
