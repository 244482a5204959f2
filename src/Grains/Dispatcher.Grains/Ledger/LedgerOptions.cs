namespace Dispatcher.Grains.Ledger;

/// <summary>The <c>Dispatcher:Ledger</c> section.</summary>
public sealed class LedgerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Dispatcher:Ledger";

    /// <summary><c>Acknowledged</c> (default: a response ends after its rows are stored) or <c>Async</c> (flushed at least every 100 ms).</summary>
    public string Durability { get; set; } = "Acknowledged";

    /// <summary>How long rows are kept. Default 30 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>True when the durability is <c>Async</c>.</summary>
    public bool IsAsync => string.Equals(Durability, "Async", StringComparison.OrdinalIgnoreCase);
}
