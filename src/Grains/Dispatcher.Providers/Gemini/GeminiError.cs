namespace Dispatcher.Providers.Gemini;

/// <summary>The fields of a Google error that classification reads.</summary>
/// <remarks>QuotaIds joins the QuotaFailure quota ids and metrics and ErrorInfo quota limits; Reason is ErrorInfo's.</remarks>
internal readonly record struct GeminiError
{
    public int Code { get; init; }

    public string? Status { get; init; }

    public string? Message { get; init; }

    public string? Reason { get; init; }

    public string? QuotaIds { get; init; }

    public TimeSpan? RetryDelay { get; init; }
}
