using System.Buffers;
using System.Text.Json;
using Notifier.Invocations;

namespace Notifier.Functions;

/// <summary>A function's HTTP response to the host: its <see cref="InvocationResult"/> as JSON, with a status code.</summary>
internal sealed class InvocationResponse(InvocationResult result, int statusCode = StatusCodes.Status200OK) : IResult
{
    /// <summary>The answer as the host reads it (tests and the warm-up).</summary>
    public static byte[] ToUtf8(InvocationResult result)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(result, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        // Straight into the response's pipe.
        Write(result, response.BodyWriter);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    private static void Write(InvocationResult result, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(result);
        // Disposing the writer commits what it wrote to the output.
        using var writer = new Utf8JsonWriter(output, InvocationJson.Answer);
        result.WriteTo(writer);
    }
}
