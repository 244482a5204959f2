using Dispatcher.Benchmarks.Load;

namespace Dispatcher.Benchmarks.Reporting;

/// <summary>One sequential pass in one round.</summary>
internal sealed record ProbeRecord(int Round, string Target, bool Stream, ProbeResult Result);
