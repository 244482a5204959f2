using Dispatcher.Grains.Routing;

namespace Dispatcher.Grains.Conversations;

/// <summary>
/// The order a conversation's turn walks its chain in: the pinned model first, then the rest of the chain in order
/// (<c>Repin</c>), or the pinned model alone (<c>Fail</c>). With <c>ReturnToPrimaryAfter</c>, a pin that moved away
/// from the chain's first model goes back to it once that model has been healthy long enough, at a turn boundary.
/// </summary>
public static class CandidateOrder
{
    /// <summary>The candidates of <paramref name="route"/> for a turn whose pin is <paramref name="pin"/> (null = not pinned).</summary>
    public static IReadOnlyList<ModelDeployment> For(Route route, ConversationPin? pin)
    {
        ArgumentNullException.ThrowIfNull(route);
        var chain = route.Chain;
        var pinned = pin is null ? -1 : IndexOf(chain, pin.ModelAlias);
        if (pinned < 0)
        {
            // A new conversation, or a pin on a model this route no longer has: the chain as configured.
            return chain;
        }

        var options = route.Options;
        var returning = pinned > 0 && options.ReturnToPrimaryAfter is { } after && chain[0].Health.HealthyFor(after, chain[0].Breaker);
        if (options.FailOnPinnedFailure)
        {
            // Fail: never switch away from the pin because it failed; a planned return may still fall back to it.
            return returning ? [chain[0], chain[pinned]] : [chain[pinned]];
        }

        if (pinned == 0 || returning)
        {
            return chain;
        }

        var ordered = new ModelDeployment[chain.Count];
        ordered[0] = chain[pinned];
        for (int i = 0, next = 1; i < chain.Count; i++)
        {
            if (i != pinned)
            {
                ordered[next++] = chain[i];
            }
        }

        return ordered;
    }

    private static int IndexOf(IReadOnlyList<ModelDeployment> chain, string alias)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            if (string.Equals(chain[i].Alias, alias, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
