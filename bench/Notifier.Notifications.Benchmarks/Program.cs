using BenchmarkDotNet.Running;
using Notifier.Notifications.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
