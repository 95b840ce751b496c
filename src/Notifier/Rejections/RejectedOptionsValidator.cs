using Microsoft.Extensions.Options;

namespace Notifier.Rejections;

/// <summary>Checks <c>Rejected__*</c>; each message names the setting and the fix.</summary>
internal sealed class RejectedOptionsValidator : IValidateOptions<RejectedOptions>
{
    public ValidateOptionsResult Validate(string? name, RejectedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.MaxEnvelopeBytes < RejectedOptions.MinEnvelopeBytes)
        {
            problems.Add($"Rejected__MaxEnvelopeBytes must be at least {RejectedOptions.MinEnvelopeBytes} (16 KB); set it to the rejected-events queue's message size limit, 262144 for Service Bus Standard (got {options.MaxEnvelopeBytes}).");
        }

        // Blob container names: 3-63 lowercase letters, digits and single dashes, starting with a letter or digit.
        var container = options.BodyContainer;
        if (string.IsNullOrEmpty(container) || container.Length is < 3 or > 63 || !char.IsAsciiLetterOrDigit(container[0])
            || container.Contains("--", StringComparison.Ordinal) || container.EndsWith('-')
            || !container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Add($"Rejected__BodyContainer must be a blob container name (3-63 lowercase letters, digits and single dashes), e.g. rejected-bodies (got '{container}').");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
