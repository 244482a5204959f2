namespace Dispatcher.Grains.Configuration;

// The route keys of conversations, continuation and hedging (SPEC.md): pins, what a pinned model's failure does,
// mid-stream continuation and hedged first attempts.
public sealed partial class RouteOptions
{
    /// <summary>The <see cref="OnPinnedFailure"/> value that falls back and moves the pin.</summary>
    public const string Repin = "Repin";

    /// <summary>The <see cref="OnPinnedFailure"/> value that fails the turn instead of switching models.</summary>
    public const string Fail = "Fail";

    /// <summary>The <see cref="HedgeAfter"/> value that hedges at the model's observed p95 time to first token.</summary>
    public const string HedgeAtP95 = "p95";

    /// <summary>
    /// What a conversation's turn does when its pinned model fails: <c>Repin</c> (default) falls back along the chain
    /// and pins the model that served, saying so in <c>x-dispatcher-repinned</c>; <c>Fail</c> tries only the pinned model.
    /// </summary>
    public string OnPinnedFailure { get; set; } = Repin;

    /// <summary>Whether a pin that moved away from the chain's first model returns to it, at a turn boundary, once the first
    /// model has been healthy (breaker closed, no failure seen) this long. Default null: never.</summary>
    public TimeSpan? ReturnToPrimaryAfter { get; set; }

    /// <summary>How long a conversation's pin lives without a turn. Default 1 day.</summary>
    public TimeSpan SessionIdleTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Whether a stream that fails after its commit point continues on the next candidate (plain text only,
    /// never after a tool-call delta). Default false.</summary>
    public bool MidStreamContinuation { get; set; }

    /// <summary>
    /// The user message that asks a continuation target without assistant prefill to go on from the partial answer,
    /// which is replayed before it as an assistant message. Default null: <see cref="DefaultContinuationInstruction"/>.
    /// Never sent as a system message: it must not override the caller's own instructions.
    /// </summary>
    public string? ContinuationInstruction { get; set; }

    /// <summary>
    /// Start the next candidate as well when the first has produced no token after this long: a time span
    /// (<c>"00:00:02"</c>) or <c>"p95"</c> (the first candidate's observed p95 time to first token, once it has 16 samples).
    /// The first to produce a token wins; the other is cancelled. Default null: no hedging.
    /// </summary>
    public string? HedgeAfter { get; set; }

    /// <summary>The instruction used when <see cref="ContinuationInstruction"/> is not set.</summary>
    public static string DefaultContinuationInstruction =>
        "Continue your previous message exactly where it stopped, without repeating any of it.";

    /// <summary>True when <see cref="OnPinnedFailure"/> is <c>Fail</c>.</summary>
    public bool FailOnPinnedFailure => string.Equals(OnPinnedFailure, Fail, StringComparison.OrdinalIgnoreCase);

    /// <summary>The fixed hedge delay, when <see cref="HedgeAfter"/> is a time span.</summary>
    public TimeSpan? FixedHedgeDelay =>
        HedgeAfter is { } text && TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var delay) ? delay : null;

    /// <summary>True when <see cref="HedgeAfter"/> is <c>p95</c>.</summary>
    public bool HedgesAtP95 => string.Equals(HedgeAfter, HedgeAtP95, StringComparison.OrdinalIgnoreCase);
}
