namespace Dispatcher.Benchmarks.Reporting;

/// <summary>The dedicated memory check: <paramref name="Streams"/> concurrent long streams (~1 s each) through one
/// Dispatcher for <paramref name="Seconds"/>.</summary>
/// <param name="MaxRssMB">Highest VmRSS sampled every 100 ms during the check.</param>
/// <param name="LifetimeHwmMB">VmHWM right after: the process's peak over its whole life, all cells included.</param>
internal sealed record MemoryCheck(
    string Target, int Streams, double Seconds, long Completed, long Errors, double StreamP50Ms, double MaxRssMB, double LifetimeHwmMB);
