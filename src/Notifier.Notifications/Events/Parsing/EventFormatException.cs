namespace Notifier.Notifications.Events.Parsing;

/// <summary>
/// Raised inside the readers for a field that breaks the contract; <see cref="EventParser"/> turns it into a
/// rejection reason and never lets it escape. The message names the field and never echoes its value.
/// </summary>
internal sealed class EventFormatException(string path, string problem) : Exception($"{path}: {problem}");
