using System.Net.Sockets;
using Azure;
using Azure.Identity;

namespace Notifier.KeyVault;

/// <summary>
/// Why a secret could not be read, and what fixes it, in one line for an admin. Azure's retry policy wraps
/// the failures of every try in an <see cref="AggregateException"/>; the last try's failure is the one
/// that counts. The SDK's own messages span many lines (headers, status, content), so they are never used
/// as they are.
/// </summary>
internal static class KeyVaultFailure
{
    public const string NetworkFix = "check KeyVault__Uri and the network path from the app to the vault (DNS, the vault's firewall, a private endpoint)";

    /// <summary>The reason (what went wrong) and the fix (what to change) for <paramref name="exception"/>.</summary>
    public static (string Reason, string Fix) Explain(Exception exception, string secretName, string secretSetting)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var failure = LastTry(exception);
        return failure switch
        {
            RequestFailedException { Status: 403, ErrorCode: "ForbiddenByFirewall" or "ForbiddenByConnection" } e =>
                ($"the vault's firewall refused the app ({e.Status} {e.ErrorCode})",
                 "allow the function app's outbound addresses or virtual network in the vault's Networking settings, or reach it through a private endpoint"),
            RequestFailedException { Status: 401 or 403 } e =>
                ($"access was denied ({e.Status} {e.ErrorCode ?? "Forbidden"})",
                 "grant the function app's managed identity the 'Key Vault Secrets User' role on the vault (a new role assignment takes a few minutes to apply)"),
            RequestFailedException { Status: 404 } e =>
                ($"the vault has no secret '{secretName}' ({e.ErrorCode ?? "NotFound"})",
                 $"create it (az keyvault secret set --vault-name <vault> --name {secretName} --value ...) or set {secretSetting} to the secret's name"),
            RequestFailedException { Status: 0 } e =>
                ($"the vault could not be reached ({OneLine(e.InnerException ?? e)})", NetworkFix),
            RequestFailedException e =>
                ($"the vault answered {e.Status} {e.ErrorCode}".TrimEnd(), NetworkFix),
            AuthenticationFailedException e =>
                ($"no identity could sign in to Key Vault ({e.GetType().Name})",
                 "enable the function app's managed identity (AZURE_CLIENT_ID selects a user-assigned one); locally, sign in with 'az login'"),
            HttpRequestException or SocketException or IOException or TimeoutException or OperationCanceledException =>
                ($"the vault could not be reached ({OneLine(failure)})", NetworkFix),
            _ => ($"reading the secret failed ({failure.GetType().Name}: {OneLine(failure)})", NetworkFix),
        };
    }

    private static Exception LastTry(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: > 0 } aggregate
            ? LastTry(aggregate.InnerExceptions[^1])
            : exception;

    /// <summary>The first line of the innermost message: "Connection refused (127.0.0.1:1)", not a page of headers.</summary>
    private static string OneLine(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is { } inner && innermost is not SocketException)
        {
            innermost = inner;
        }

        var message = innermost.Message;
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
