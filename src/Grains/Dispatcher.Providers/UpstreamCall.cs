using Dispatcher.Providers.Chat;

namespace Dispatcher.Providers;

/// <summary>One attempt as the adapter sees it.</summary>
/// <param name="Request">The client's parsed request.</param>
/// <param name="Model">The upstream model and its pre-encoded JSON name.</param>
/// <param name="ApiKey">The provider credential chosen for this attempt (never logged).</param>
public sealed record UpstreamCall(ChatRequest Request, UpstreamModel Model, string ApiKey);
