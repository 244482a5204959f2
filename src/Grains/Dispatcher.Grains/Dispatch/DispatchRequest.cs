using Dispatcher.Grains.Contracts;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Dispatch;

/// <summary>A request ready to dispatch.</summary>
/// <param name="Request">The parsed body.</param>
/// <param name="Route">The resolved chain.</param>
/// <param name="Strict">Fallback off (<c>x-dispatcher-fallback: off</c>): only the first candidate is tried.</param>
/// <param name="RequestId">The id in <c>x-dispatcher-request-id</c>.</param>
/// <param name="MaxCostUsd">The client's ceiling (<c>x-dispatcher-max-cost-usd</c>); null = the route's default.</param>
public sealed record DispatchRequest(ChatRequest Request, Route Route, bool Strict, string RequestId, decimal? MaxCostUsd = null)
{
    /// <summary>The conversation (<c>x-dispatcher-session</c>); null = no pinning.</summary>
    public string? SessionId { get; init; }

    /// <summary>The authenticated virtual key's id (<c>vk-…</c>, never its secret); null when keys are off.</summary>
    public string? VirtualKeyId { get; init; }

    /// <summary>What the answer must look like (<see cref="OutputContract.For"/>); null = not guarded.</summary>
    public OutputContract? Contract { get; init; }
}
