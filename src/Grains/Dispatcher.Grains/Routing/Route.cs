using Dispatcher.Grains.Configuration;

namespace Dispatcher.Grains.Routing;

/// <summary>A resolved fallback chain and the policy of the route it came from.</summary>
/// <param name="Name">The route (or, for a bare alias or a <c>models</c> list, the first alias).</param>
/// <param name="Chain">The candidates, in order.</param>
/// <param name="Options">The route's policy; defaults for a bare alias.</param>
public sealed record Route(string Name, IReadOnlyList<ModelDeployment> Chain, RouteOptions Options);
