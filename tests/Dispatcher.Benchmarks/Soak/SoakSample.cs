namespace Dispatcher.Benchmarks.Soak;

/// <summary>One reading of the Dispatcher process during a soak: what it holds and what it has served.</summary>
internal sealed record SoakSample(TimeSpan At, long Sent, long Ok, long Errors, double RssMB, int Handles, int Threads);
