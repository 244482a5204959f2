namespace Dispatcher.Benchmarks.Harness;

/// <summary>One reading of the transaction counter, at <paramref name="At"/> on the counter's clock.</summary>
internal readonly record struct DbReading(long Transactions, TimeSpan At);
