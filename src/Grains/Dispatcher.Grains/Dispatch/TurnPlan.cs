using Dispatcher.Grains.Conversations;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;

namespace Dispatcher.Grains.Dispatch;

/// <summary>One request's walk of its chain: the candidate order (a conversation's pin first), and what a hedge changed.</summary>
internal sealed class TurnPlan
{
    public TurnPlan(IReadOnlyList<ModelDeployment> chain, ConversationKey? key, ConversationPin? pin)
    {
        Chain = chain;
        Key = key;
        Pin = pin;
    }

    /// <summary>The candidates in the order this request tries them.</summary>
    public IReadOnlyList<ModelDeployment> Chain { get; }

    /// <summary>The conversation, when the request named one.</summary>
    public ConversationKey? Key { get; }

    /// <summary>The conversation's pin as the turn began; null for a new conversation.</summary>
    public ConversationPin? Pin { get; }

    /// <summary>The index in <see cref="Chain"/> a hedge already tried; the walk skips it. -1 = none.</summary>
    public int HedgedIndex { get; set; } = -1;

    /// <summary>True once a hedge was started (one per request).</summary>
    public bool Hedged { get; set; }

    /// <summary>When the hedge won: the deployment, lease and start that served instead of the candidate in turn.</summary>
    public (ModelDeployment Candidate, ProviderLease Lease, long StartedAt)? HedgeWinner { get; set; }

    /// <summary>The cancellation of the attempt that served, when a hedge race owns it; lives as long as the answer.</summary>
    public CancellationTokenSource? WinnerCancellation { get; set; }
}
