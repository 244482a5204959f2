namespace Dispatcher.Benchmarks.Reporting;

/// <summary>One target of issue 8 evaluated in this run.</summary>
/// <param name="Verdict">PASS, MISS or n/a.</param>
internal sealed record TargetCheck(string Check, string Variant, string Measured, string Floor, string Limit, string Verdict);
