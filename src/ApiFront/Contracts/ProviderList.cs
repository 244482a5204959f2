using Dispatcher.Grains.Providers;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>GET /v1/dispatcher/providers.</summary>
public sealed record ProviderList(string Authority, IReadOnlyList<ProviderSnapshot> Data, ClusterView Cluster);
