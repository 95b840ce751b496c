using Microsoft.Extensions.Options;

namespace Notifier.Settings;

/// <summary>
/// Fails the options of a section for every value that could not be read into its property (<c>Mail__Port=abc</c>);
/// registered beside each section's own rules, which check the values that were read.
/// </summary>
internal sealed class UnreadableSettingsValidator<T>(IConfiguration configuration, string section) : IValidateOptions<T>
    where T : class, new()
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        // Bound again onto a scratch object: the options being validated were bound by the configure step, which
        // cannot report what it skipped.
        var problems = SectionBinder.Bind(configuration, section, new T());
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
