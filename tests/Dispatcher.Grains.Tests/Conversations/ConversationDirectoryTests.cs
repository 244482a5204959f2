using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Conversations;
using Dispatcher.Grains.Providers;
using Dispatcher.Grains.Routing;
using Dispatcher.Grains.Tests.Providers;
using Dispatcher.TestSupport;

using Xunit;

namespace Dispatcher.Grains.Tests.Conversations;

public sealed class ConversationDirectoryTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero));
    private readonly CountingStore _store;
    private readonly ModelDeployment _primary;
    private readonly ModelDeployment _backup;
    private readonly ConversationKey _key = ConversationKey.For(null, "s1");

    public ConversationDirectoryTests()
    {
        _store = new CountingStore(new InProcessConversationPinStore(_time));
        var provider = new ProviderActor("alpha", new UnusedAdapter(), ["sk-a"], null, null, new BreakerOptions(), new TestAuthority(_time), _time);
        _primary = new ModelDeployment("primary", new ModelOptions { Provider = "alpha" }, provider, _time);
        _backup = new ModelDeployment("backup", new ModelOptions { Provider = "alpha" }, provider, _time);
    }

    [Fact]
    public async Task RecordServedAsync_FirstTurn_PinsTheModelThatServed()
    {
        var node = new ConversationDirectory(_store, _time);

        var moved = await node.RecordServedAsync(_key, null, _primary, Ttl, default);

        Assert.Null(moved);
        var pin = await node.FindAsync(_key, default);
        Assert.Equal("primary", pin!.ModelAlias);
        Assert.Equal(1, pin.Version);
    }

    [Fact]
    public async Task FindAsync_CachedPin_NoStoreRoundTrip()
    {
        var node = new ConversationDirectory(_store, _time);
        await node.RecordServedAsync(_key, null, _primary, Ttl, default);
        var reads = _store.Finds;

        for (var turn = 0; turn < 5; turn++)
        {
            var pin = await node.FindAsync(_key, default);
            await node.RecordServedAsync(_key, pin, _primary, Ttl, default);
        }

        Assert.Equal(reads, _store.Finds);
        Assert.Equal(1, _store.Saves);
        Assert.Equal(6, (await node.FindAsync(_key, default))!.Turns);
    }

    [Fact]
    public async Task FindAsync_OtherNodesPin_ReadThroughOnMiss()
    {
        var nodeA = new ConversationDirectory(_store, _time);
        var nodeB = new ConversationDirectory(_store, _time);
        await nodeA.RecordServedAsync(_key, null, _backup, Ttl, default);

        var seenByB = await nodeB.FindAsync(_key, default);

        Assert.Equal("backup", seenByB!.ModelAlias);
    }

    [Fact]
    public async Task RecordServedAsync_OtherModelServed_MovesPinAndSaysOldToNew()
    {
        var node = new ConversationDirectory(_store, _time);
        await node.RecordServedAsync(_key, null, _primary, Ttl, default);
        var pin = await node.FindAsync(_key, default);

        var moved = await node.RecordServedAsync(_key, pin, _backup, Ttl, default);

        Assert.Equal("primary->backup", moved);
        var stored = await _store.FindAsync(_key, default);
        Assert.Equal("backup", stored!.ModelAlias);
        Assert.Equal(["primary->backup"], stored.FallbackHistory);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task RecordServedAsync_StaleCacheLosesCompareAndSet_AdoptsTheOtherNodesPin()
    {
        var nodeA = new ConversationDirectory(_store, _time);
        var nodeB = new ConversationDirectory(_store, _time);
        await nodeA.RecordServedAsync(_key, null, _primary, Ttl, default);
        var seenByA = await nodeA.FindAsync(_key, default);
        var seenByB = await nodeB.FindAsync(_key, default);
        await nodeB.RecordServedAsync(_key, seenByB, _backup, Ttl, default);

        // Node A still holds version 1 and now moves the pin too: its write loses, and it takes node B's pin.
        await nodeA.RecordServedAsync(_key, seenByA, _backup, Ttl, default);

        Assert.Equal(2, (await _store.FindAsync(_key, default))!.Version);
        Assert.Equal("backup", (await nodeA.FindAsync(_key, default))!.ModelAlias);
    }

    [Fact]
    public async Task FindAsync_IdleLongerThanTtl_ConversationStartsAfresh()
    {
        var node = new ConversationDirectory(_store, _time);
        await node.RecordServedAsync(_key, null, _primary, Ttl, default);

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        Assert.Null(await node.FindAsync(_key, default));
    }

    [Fact]
    public async Task RecordServedAsync_TurnsKeepComing_StoreExpiryPushedOut()
    {
        var node = new ConversationDirectory(_store, _time);
        await node.RecordServedAsync(_key, null, _primary, Ttl, default);

        for (var turn = 0; turn < 8; turn++)
        {
            _time.Advance(TimeSpan.FromMinutes(20));
            var pin = await node.FindAsync(_key, default);
            Assert.NotNull(pin);
            await node.RecordServedAsync(_key, pin, _primary, Ttl, default);
        }

        // Another node (empty cache) still finds the pin after 160 minutes of a 60-minute idle TTL.
        Assert.Equal("primary", (await new ConversationDirectory(_store, _time).FindAsync(_key, default))!.ModelAlias);
    }

    private sealed class CountingStore(IConversationPinStore inner) : IConversationPinStore
    {
        public int Finds { get; private set; }

        public int Saves { get; private set; }

        public ValueTask<ConversationPin?> FindAsync(ConversationKey key, CancellationToken cancellationToken)
        {
            Finds++;
            return inner.FindAsync(key, cancellationToken);
        }

        public ValueTask<bool> TrySaveAsync(ConversationPin pin, long expectedVersion, CancellationToken cancellationToken)
        {
            Saves++;
            return inner.TrySaveAsync(pin, expectedVersion, cancellationToken);
        }
    }
}
