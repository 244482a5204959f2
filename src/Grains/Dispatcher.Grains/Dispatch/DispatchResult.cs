using Dispatcher.Grains.Routing;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>
/// How a dispatch ended: a complete answer, a stream past its commit point, or a failure; with the trail of every
/// attempt. Owns pooled buffers and the upstream stream: dispose it when the response is written.
/// </summary>
public sealed class DispatchResult : IAsyncDisposable
{
    internal DispatchResult(DecisionTrail trail, long waitedTicks)
    {
        Trail = trail;
        WaitedTicks = waitedTicks;
    }

    /// <summary>Every attempt so far (a stream adds its own when it ends).</summary>
    public DecisionTrail Trail { get; }

    /// <summary>The deployment that served, when one did.</summary>
    public ModelDeployment? Served { get; internal init; }

    /// <summary>A non-streaming answer.</summary>
    public CompletionResult? Completion { get; internal init; }

    /// <summary>A stream past its commit point.</summary>
    public StreamingAnswer? Stream { get; internal init; }

    /// <summary><c>old-&gt;new</c> when this turn moved the conversation's pin (<c>x-dispatcher-repinned</c>).</summary>
    public string? Repinned { get; internal set; }

    /// <summary>Why nothing served.</summary>
    public DispatchFailure? Failure { get; internal init; }

    /// <summary>
    /// Timestamp ticks (<see cref="TimeProvider.GetTimestamp"/>) spent waiting on upstreams or on Retry-After: what
    /// <c>x-dispatcher-overhead-ms</c> leaves out.
    /// </summary>
    public long WaitedTicks { get; }

    /// <summary>Attempts as <c>x-dispatcher-attempts</c> counts them, the committed stream's included.</summary>
    public int Attempts => Trail.Count + (Stream is { IsCompleted: false } ? 1 : 0);

    /// <summary>The cost of every finished attempt.</summary>
    public decimal CostUsd => Trail.TotalCostUsd;

    /// <summary>Usage of the answer that served (non-streaming).</summary>
    public TokenUsage? Usage => Completion?.Facts.Usage;

    private CancellationTokenSource? _attemptCancellation;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Completion?.Dispose();
        if (Stream is not null)
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
        }

        _attemptCancellation?.Dispose();
    }

    /// <summary>Takes the serving attempt's cancellation source (a hedge race made it), to dispose it with the answer.</summary>
    internal void Own(CancellationTokenSource cancellation) => _attemptCancellation = cancellation;
}
