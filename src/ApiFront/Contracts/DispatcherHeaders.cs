namespace Dispatcher.ApiFront.Contracts;

/// <summary>The request and response headers of SPEC.md.</summary>
public static class DispatcherHeaders
{
    public const string Model = "x-dispatcher-model";
    public const string Provider = "x-dispatcher-provider";
    public const string Attempts = "x-dispatcher-attempts";
    public const string FallbackReasons = "x-dispatcher-fallback-reasons";
    public const string CostUsd = "x-dispatcher-cost-usd";
    public const string RequestId = "x-dispatcher-request-id";
    public const string OverheadMs = "x-dispatcher-overhead-ms";
    public const string Fallback = "x-dispatcher-fallback";
    public const string Session = "x-dispatcher-session";
    public const string MaxCostUsd = "x-dispatcher-max-cost-usd";
    public const string Repinned = "x-dispatcher-repinned";
}
