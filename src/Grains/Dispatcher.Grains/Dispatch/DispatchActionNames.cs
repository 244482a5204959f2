namespace Dispatcher.Grains.Dispatch;

/// <summary>The snake_case names of <see cref="DispatchAction"/> used in trails and logs.</summary>
public static class DispatchActionNames
{
    /// <summary>The wire name of <paramref name="action"/>.</summary>
    public static string ToWireName(this DispatchAction action) => action switch
    {
        DispatchAction.Served => "served",
        DispatchAction.RetrySame => "retry_same",
        DispatchAction.RotateKey => "rotate_key",
        DispatchAction.NextCandidate => "next_candidate",
        DispatchAction.FailFast => "fail_fast",
        DispatchAction.Continue => "continue",
        DispatchAction.Hedged => "hedge_lost",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>The action whose wire name is <paramref name="name"/> (the reverse of <see cref="ToWireName"/>).</summary>
    /// <returns>False when <paramref name="name"/> is not a wire name (names are case-sensitive).</returns>
    public static bool TryParseWireName(string? name, out DispatchAction action)
    {
        DispatchAction? parsed = name switch
        {
            "served" => DispatchAction.Served,
            "retry_same" => DispatchAction.RetrySame,
            "rotate_key" => DispatchAction.RotateKey,
            "next_candidate" => DispatchAction.NextCandidate,
            "fail_fast" => DispatchAction.FailFast,
            "continue" => DispatchAction.Continue,
            "hedge_lost" => DispatchAction.Hedged,
            _ => null,
        };
        action = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
