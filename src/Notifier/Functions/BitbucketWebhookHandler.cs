using System.Text;
using System.Text.Json;
using Notifier.Hosting;
using Notifier.Invocations;
using Notifier.Notifications.Events;
using Notifier.Settings;
using Notifier.Webhooks;

namespace Notifier.Functions;

/// <summary>
/// <c>POST /BitbucketWebhook</c>: the host's form of a Bitbucket Data Center webhook POSTed to
/// <c>/api/bitbucket/webhook</c>. The body is checked (signature, size, JSON, event key) and forwarded
/// unchanged, as a string, to <c>Outputs.pullrequests</c> or <c>Outputs.repositories</c>; the caller's answer
/// goes in <c>Outputs.res</c>. Nothing is forwarded unless the answer is 202.
/// </summary>
internal static class BitbucketWebhookHandler
{
    private const string EventKeyHeader = "X-Event-Key";
    private const string PingKey = "diagnostics:ping";

    public static async Task<InvocationResponse> InvokeAsync(HttpContext context, ILoggerFactory loggers, NotifierSettings settings)
    {
        var logger = loggers.CreateLogger(typeof(BitbucketWebhookHandler));
        var response = new InvocationResult();
        var read = await Invocation.ReadAsync(context.Request.Body, context.RequestAborted);
        if (!read.Succeeded)
        {
            HandlerLog.InvocationUnreadable(logger, FunctionCatalog.BitbucketWebhook.Name, read.Error);
            response.Logs.Add(read.Error);
            return new InvocationResponse(response, StatusCodes.Status400BadRequest);
        }

        var invocation = read.Invocation;
        using (invocation.Document)
        {
            var options = settings.Bitbucket;
            var request = WebhookRequest.Read(invocation.Binding(FunctionCatalog.BitbucketWebhook.TriggerBinding));
            var answer = request is null
                ? Refuse(logger, StatusCodes.Status400BadRequest, "the invocation carries no HTTP request (Data.req)")
                : Handle(logger, request, options, response);
            response.Outputs[FunctionCatalog.HttpResponseBinding] = HttpOutput.Json(answer.Status, JsonSerializer.Serialize(answer.Body, InvocationJson.Web));
            response.Logs.Add($"Bitbucket webhook: {answer.Status} {answer.Body.Message}");
            return new InvocationResponse(response);
        }
    }

    private static Answer Handle(ILogger logger, WebhookRequest request, BitbucketOptions options, InvocationResult response)
    {
        var body = request.Body;
        var signature = WebhookSignature.Check(body, request.Header(WebhookSignature.HeaderName), options);
        if (signature is not (SignatureCheck.Valid or SignatureCheck.UnsignedAllowed))
        {
            var reason = Describe(signature);
            WebhookLog.Unauthorized(logger, reason);
            return new Answer(StatusCodes.Status401Unauthorized, new AnswerBody(reason));
        }

        if (body.Length > EventLimits.MaxBodyBytes)
        {
            return Refuse(logger, StatusCodes.Status413PayloadTooLarge, $"the body is {(body.Length + 1023) / 1024} KB; the event size limit is {EventLimits.MaxBodyBytes / 1024} KB");
        }

        var headerKey = request.Header(EventKeyHeader)?.Trim();
        if (headerKey == PingKey)
        {
            // Bitbucket's "Test connection": answered whatever its body, once the signature is good.
            WebhookLog.Ping(logger);
            return new Answer(StatusCodes.Status200OK, new AnswerBody("pong: the URL, the function key and the secret are right") { EventKey = PingKey });
        }

        var (bodyKey, problem) = ReadBodyKey(body);
        if (problem is not null)
        {
            return Refuse(logger, StatusCodes.Status400BadRequest, problem);
        }

        if (headerKey is { Length: > 0 } && bodyKey is not null && !string.Equals(headerKey, bodyKey, StringComparison.Ordinal))
        {
            return Refuse(logger, StatusCodes.Status400BadRequest, $"X-Event-Key '{Printable(headerKey)}' does not match the body's eventKey '{Printable(bodyKey)}'");
        }

        var key = bodyKey ?? headerKey;
        if (string.IsNullOrEmpty(key))
        {
            return Refuse(logger, StatusCodes.Status400BadRequest, "no event key: neither an X-Event-Key header nor an eventKey in the body");
        }

        if (key == PingKey)
        {
            WebhookLog.Ping(logger);
            return new Answer(StatusCodes.Status200OK, new AnswerBody("pong: the URL, the function key and the secret are right") { EventKey = PingKey });
        }

        var (binding, queue) = BitbucketEventKeys.CategoryOf(key) switch
        {
            EventCategory.PullRequest => (FunctionCatalog.PullRequestsBinding, FunctionCatalog.PullRequestQueue),
            EventCategory.Repository => (FunctionCatalog.RepositoriesBinding, FunctionCatalog.RepositoryQueue),
            _ => (null, null),
        };
        if (binding is null || queue is null)
        {
            var shown = Printable(key);
            WebhookLog.Ignored(logger, shown);
            return new Answer(StatusCodes.Status202Accepted, new AnswerBody($"{shown} is not a pull-request or repository event; nothing was forwarded") { EventKey = key });
        }

        if (bodyKey is null)
        {
            // The queue functions tell Bitbucket bodies apart by their eventKey; the body is never rewritten.
            return Refuse(logger, StatusCodes.Status400BadRequest, $"the body has no eventKey, so the queue could not tell which event it is (X-Event-Key: {Printable(key)})");
        }

        // The host writes a string output as the message body in UTF-8: the bytes Bitbucket sent.
        response.Outputs[binding] = Encoding.UTF8.GetString(body);
        WebhookLog.Forwarded(logger, key, body.Length, queue);
        return new Answer(StatusCodes.Status202Accepted, new AnswerBody($"forwarded to {queue}") { EventKey = key, Queue = queue });
    }

    /// <summary>The body's <c>eventKey</c> (null when it has none), or why the body is not a webhook body.</summary>
    private static (string? Key, string? Problem) ReadBodyKey(byte[] body)
    {
        if (body.Length == 0)
        {
            return (null, "the body is empty; Bitbucket sends the event as JSON");
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = EventLimits.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body is not a JSON object");
            }

            return document.RootElement.TryGetProperty("eventKey", out var key)
                ? key.ValueKind == JsonValueKind.String ? (key.GetString(), null) : (null, "the body's eventKey is not a string")
                : (null, null);
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not JSON: {ex.Message}");
        }
    }

    private static Answer Refuse(ILogger logger, int status, string reason)
    {
        WebhookLog.BadRequest(logger, status, reason);
        return new Answer(status, new AnswerBody(reason));
    }

    private static string Describe(SignatureCheck check) => check switch
    {
        SignatureCheck.SecretUnresolved => "Bitbucket__WebhookSecret is a Key Vault reference that did not resolve: check that the secret exists in the vault and that the app's identity may read it",
        SignatureCheck.NoSecretConfigured => "no webhook secret is configured: set Bitbucket__WebhookSecret to the webhook's secret (or Bitbucket__AllowUnsignedWebhooks=true for a webhook without one)",
        SignatureCheck.Missing => "the request has no X-Hub-Signature: give the Bitbucket webhook the secret held in Bitbucket__WebhookSecret",
        SignatureCheck.Malformed => "the X-Hub-Signature header is not sha256= followed by 64 hex digits",
        _ => "the X-Hub-Signature does not match the body: the webhook's secret differs from Bitbucket__WebhookSecret",
    };

    /// <summary>A value from the request, cut and with control characters escaped, safe to log and echo.</summary>
    private static string Printable(string value)
    {
        var cut = value.Length > 64 ? value[..64] + "…" : value;
        return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
    }

    private sealed record Answer(int Status, AnswerBody Body);

    /// <summary>The caller's JSON answer: what happened, and where the event went when it was forwarded.</summary>
    private sealed record AnswerBody(string Message)
    {
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public string? EventKey { get; init; }

        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public string? Queue { get; init; }
    }
}
