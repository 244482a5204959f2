namespace Dispatcher.Providers.Chaos;

/// <summary>
/// Fault injection for one provider's attempts, each a share of attempts from 0 to 1 (Polly.Core's chaos strategies).
/// </summary>
/// <param name="FaultRate">Attempts that fail as a broken connection (<c>connection_failed</c>), with no upstream call.</param>
/// <param name="LatencyRate">Attempts delayed by <paramref name="Latency"/> before the upstream call; inside the
/// attempt's timeouts, so a long delay ends as the timeout kind it causes.</param>
/// <param name="Latency">The injected delay.</param>
/// <param name="OutcomeRate">Attempts answered with <paramref name="OutcomeStatus"/> instead of calling the upstream,
/// classified as the adapter classifies that status (503 <c>server_error</c>, 429 <c>rate_limited</c>, 504 <c>timeout</c>…).</param>
/// <param name="OutcomeStatus">The injected HTTP status, 400 to 599. Default 503.</param>
public sealed record ChaosSettings(double FaultRate = 0, double LatencyRate = 0, TimeSpan Latency = default, double OutcomeRate = 0, int OutcomeStatus = 503)
{
    /// <summary>No injection.</summary>
    public static ChaosSettings Off { get; } = new();

    /// <summary>True when any strategy would inject something.</summary>
    public bool IsActive => FaultRate > 0 || (LatencyRate > 0 && Latency > TimeSpan.Zero) || OutcomeRate > 0;

    /// <summary>What is wrong with these settings (the key names are relative), or null.</summary>
    public string? Problem()
    {
        if (!IsRate(FaultRate) || !IsRate(LatencyRate) || !IsRate(OutcomeRate))
        {
            return "FaultRate, LatencyRate and OutcomeRate must be between 0 and 1.";
        }

        if (Latency < TimeSpan.Zero)
        {
            return "Latency must not be negative.";
        }

        return OutcomeStatus is < 400 or > 599 ? "OutcomeStatus must be an HTTP error status from 400 to 599." : null;
    }

    private static bool IsRate(double rate) => rate is >= 0 and <= 1;
}
