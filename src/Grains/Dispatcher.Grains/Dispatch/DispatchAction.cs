namespace Dispatcher.Grains.Dispatch;

/// <summary>What the dispatch policy does after an attempt.</summary>
public enum DispatchAction
{
    /// <summary>The attempt served the request.</summary>
    Served,

    /// <summary>Try the same candidate again (transient failure), after Retry-After when given.</summary>
    RetrySame,

    /// <summary>Try the same candidate with another key of its pool.</summary>
    RotateKey,

    /// <summary>Move to the next candidate of the chain.</summary>
    NextCandidate,

    /// <summary>Stop: the request itself is at fault, or falling back would hide something the client must see.</summary>
    FailFast,

    /// <summary>A stream that failed after its commit point goes on, on the next candidate (mid-stream continuation).</summary>
    Continue,

    /// <summary>A hedged call that lost the race to its first token and was cancelled.</summary>
    Hedged,
}
