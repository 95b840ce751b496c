using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Notifier.Notifications.Benchmarks;

/// <summary>
/// One in-process job: 5 warm-ups, 12 measured iterations. In process, BenchmarkDotNet does not build a
/// separate boilerplate project. On a busy 2-core machine that build can exceed its 2-minute timeout.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig() =>
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(12)
            .WithId("ShortInProcess"));
}
