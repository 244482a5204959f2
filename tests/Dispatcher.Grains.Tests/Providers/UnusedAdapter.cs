using Dispatcher.Providers;

namespace Dispatcher.Grains.Tests.Providers;

/// <summary>An adapter for tests that never reach the upstream: any call is a test failure.</summary>
internal sealed class UnusedAdapter : IChatAdapter
{
    public Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the adapter must not be called by this test");

    public Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the adapter must not be called by this test");
}
