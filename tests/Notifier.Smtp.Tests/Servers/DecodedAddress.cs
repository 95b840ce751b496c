namespace Notifier.Smtp.Tests.Servers;

/// <summary>A mailbox as Python's email package read it.</summary>
public sealed record DecodedAddress(string Name, string Address);
