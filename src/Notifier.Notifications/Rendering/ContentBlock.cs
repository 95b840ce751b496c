namespace Notifier.Notifications.Rendering;

/// <summary>A section of an email body below the headline and facts.</summary>
internal abstract record ContentBlock(string Heading);
