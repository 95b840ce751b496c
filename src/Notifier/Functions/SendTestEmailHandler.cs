using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifier.Hosting;
using Notifier.Invocations;
using Notifier.Mail;
using Notifier.Settings;

namespace Notifier.Functions;

/// <summary>
/// <c>POST /SendTestEmail</c>: the host's form of <c>POST /api/mail/test {"to": "..."}</c> (authLevel admin, so
/// only callers with the admin key reach it). The caller's answer goes in <c>Outputs.res</c>: the staged
/// report with 200 when sent, otherwise the error and a hint with 400 (bad request), 500 (settings),
/// 502 (mail server) or 503 (Key Vault).
/// </summary>
internal static class SendTestEmailHandler
{
    public static async Task<JsonHttpResult<InvocationResult>> InvokeAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SendTestEmailHandler));
        var response = new InvocationResult();
        var json = await Invocation.ReadBodyAsync(context.Request.Body, context.RequestAborted);
        if (!Invocation.TryParse(json, out var invocation, out var error))
        {
            HandlerLog.InvocationUnreadable(logger, FunctionCatalog.SendTestEmail.Name, error);
            response.Logs.Add(error);
            return TypedResults.Json(response, InvocationJson.Options, statusCode: StatusCodes.Status400BadRequest);
        }

        using (invocation.Document)
        {
            var settings = services.GetRequiredService<NotifierSettings>();
            MailTestOutcome outcome;
            if (!TryReadRecipient(invocation, out var to, out var requestError))
            {
                outcome = new MailTestOutcome(MailTestKind.BadRequest, null, requestError, "POST a JSON body such as {\"to\": \"admin@example.com\"}");
            }
            else if (!settings.IsValid)
            {
                outcome = new MailTestOutcome(MailTestKind.SettingsInvalid, null, settings.Describe(), "fix the settings named above and restart the function app");
            }
            else
            {
                outcome = await services.GetRequiredService<MailTester>().SendTestAsync(to, progress: null, context.RequestAborted);
            }

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
            return TypedResults.Json(response, InvocationJson.Options);
        }
    }

    /// <summary>Reads <c>to</c> from the HTTP request in Data.req (its Body as text or as JSON); false with what is wrong.</summary>
    private static bool TryReadRecipient(Invocation invocation, [NotNullWhen(true)] out string? to, [NotNullWhen(false)] out string? error)
    {
        to = null;
        if (invocation.Binding(FunctionCatalog.SendTestEmail.TriggerBinding) is not { } raw || HostValue.AsObject(raw) is not { } request)
        {
            error = "the invocation carries no HTTP request (Data.req)";
            return false;
        }

        if (Invocation.TryGet(request, "Body") is not { } bodyValue)
        {
            error = "the request has no body";
            return false;
        }

        var body = HostValue.Unwrap(bodyValue);
        if (body.ValueKind != JsonValueKind.Object)
        {
            // A body that is not JSON stays a plain string after unwrapping.
            error = body.ValueKind == JsonValueKind.String ? "the body is not JSON" : "the body must be a JSON object";
            return false;
        }

        if (Invocation.TryGet(body, "to") is not { } value || HostValue.AsString(value) is not { Length: > 0 } address)
        {
            error = "the body has no \"to\" address";
            return false;
        }

        to = address.Trim();
        error = null;
        return true;
    }
}
