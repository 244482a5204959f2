namespace Dispatcher.ApiFront.Tests.TestHost;

/// <summary>Every end-to-end test class shares one node and one fake upstream, and runs one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DispatcherCollection : ICollectionFixture<DispatcherFixture>
{
    public const string Name = "dispatcher";
}
