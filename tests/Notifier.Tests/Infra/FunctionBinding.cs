namespace Notifier.Tests.Infra;

/// <summary>One binding of a function.json (only the properties the infra tests compare).</summary>
internal sealed record FunctionBinding(
    string Type, string Direction, string Name, string? QueueName, string? Connection, string? Route, string? AuthLevel);
