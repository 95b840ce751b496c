using System.Text.Json;
using Notifier.Hosting;
using Notifier.Invocations;
using Notifier.Mail;
using Notifier.Settings;
using Notifier.Telemetry;

namespace Notifier.Functions;

/// <summary>
/// <c>POST /SendTestEmail</c>: the host's form of <c>POST /api/mail/test {"to": "..."}</c> (authLevel admin, so
/// only callers with the admin key reach it). The caller's answer goes in <c>Outputs.res</c>: the staged
/// report with 200 when sent, otherwise the error and a hint with 400 (bad request), 500 (settings),
/// 502 (mail server) or 503 (Key Vault).
/// </summary>
internal static class SendTestEmailHandler
{
    public static async Task<InvocationResponse> InvokeAsync(HttpContext context, ILoggerFactory loggers, NotifierSettings settings, Lazy<MailTester> tester)
    {
        var logger = loggers.CreateLogger(typeof(SendTestEmailHandler));
        var response = new InvocationResult();
        var read = await Invocation.ReadAsync(context.Request.Body, context.RequestAborted, context.Request.ContentLength);
        using var activity = InvocationTelemetry.Start(FunctionCatalog.SendTestEmail.Name, context, null);
        if (!read.Succeeded)
        {
            HandlerLog.InvocationUnreadable(logger, FunctionCatalog.SendTestEmail.Name, read.Error);
            response.Logs.Add(read.Error);
            return new InvocationResponse(response, StatusCodes.Status400BadRequest);
        }

        using (var invocation = read.Invocation)
        {
            var (to, requestError) = ReadRecipient(invocation);
            MailTestOutcome outcome;
            if (requestError is not null)
            {
                outcome = new MailTestOutcome(MailTestKind.BadRequest, null, requestError, "POST a JSON body such as {\"to\": \"admin@example.com\"}");
            }
            else if (!settings.IsValid)
            {
                outcome = new MailTestOutcome(MailTestKind.SettingsInvalid, null, settings.Describe(), "fix the settings named above and restart the function app");
            }
            else
            {
                outcome = await tester.Value.SendTestAsync(to, progress: null, context.RequestAborted);
            }

            InvocationTelemetry.End(activity, outcome.Kind.ToString(), null, outcome.Succeeded ? null : outcome.Error);
            var server = string.IsNullOrWhiteSpace(settings.Mail.Host) ? null : settings.Mail.ToString();
            var report = MailTestReportDto.From(outcome, to, server);
            if (outcome.Succeeded)
            {
                HandlerLog.TestEmailSucceeded(logger, to ?? string.Empty, report.Outcome);
            }
            else
            {
                HandlerLog.TestEmailFailed(logger, to ?? "(none)", outcome.HttpStatus, outcome.Error, outcome.Hint);
            }

            response.Outputs[FunctionCatalog.HttpResponseBinding] = HttpOutput.Json(outcome.HttpStatus, JsonSerializer.Serialize(report, InvocationJson.Web));
            response.Logs.Add($"test email to {to ?? "(none)"}: {report.Outcome}");
            return new InvocationResponse(response);
        }
    }

    /// <summary>Reads <c>to</c> from the HTTP request in Data.req (its Body as text or as JSON).</summary>
    private static (string? To, string? Error) ReadRecipient(Invocation invocation)
    {
        if (invocation.Binding(FunctionCatalog.SendTestEmail.TriggerBinding) is not { } raw || HostValue.AsObject(raw) is not { } request)
        {
            return (null, "the invocation carries no HTTP request (Data.req)");
        }

        if (Invocation.TryGet(request, "Body") is not { } bodyValue)
        {
            return (null, "the request has no body");
        }

        var body = HostValue.Unwrap(bodyValue);
        if (body.ValueKind == JsonValueKind.String)
        {
            // A body that is not JSON stays a plain string after unwrapping.
            return (null, "the body is not JSON");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, "the body must be a JSON object");
        }

        return Invocation.TryGet(body, "to") is { } to && HostValue.AsString(to) is { Length: > 0 } address
            ? (address.Trim(), null)
            : (null, "the body has no \"to\" address");
    }
}
