namespace Notifier.Notifications.Rendering;

/// <summary>A link the email offers, e.g. "View the pull request". <see cref="Href"/> is already vetted by <see cref="SafeLink"/>.</summary>
internal sealed record ContentLink(string Label, string Href);
