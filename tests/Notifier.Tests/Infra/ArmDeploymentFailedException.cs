namespace Notifier.Tests.Infra;

/// <summary>A deployment the template itself stops with <c>fail('…')</c>: ARM refuses it with that message before it creates anything.</summary>
internal sealed class ArmDeploymentFailedException(string message) : Exception(message);
