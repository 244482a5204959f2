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
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
