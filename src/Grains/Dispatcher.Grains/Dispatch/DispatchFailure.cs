namespace Dispatcher.Grains.Dispatch;

/// <summary>Why no candidate served, as the client will see it.</summary>
/// <param name="StatusCode">The HTTP status (SPEC.md's mapping from the kinds seen).</param>
/// <param name="Code">The error code: a failure kind.</param>
/// <param name="Message">Each attempt in Dispatcher's own words; no upstream text.</param>
/// <param name="RetryAfter">For 429 and 503: when a retry may succeed.</param>
public sealed record DispatchFailure(int StatusCode, string Code, string Message, TimeSpan? RetryAfter);
