using Dispatcher.Grains.Conversations;
using Dispatcher.TestSupport;

using Xunit;

namespace Dispatcher.Grains.Tests.Conversations;

/// <summary>
/// What every <see cref="IConversationPinStore"/> must do, run against each implementation: derive a class and return
/// a store from <see cref="CreateStore"/>. The store should read "now" from the given clock (a SQL store passes it as
/// a parameter), or override <see cref="ExpireAsync"/> to make time pass for it. Each test uses its own session ids
/// (a fresh prefix per test), so stores may share one database.
/// </summary>
public abstract class ConversationPinStoreContract
{
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..12] + "-";

    protected ManualTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    /// <summary>A new, empty store.</summary>
    protected abstract IConversationPinStore CreateStore(TimeProvider time);

    /// <summary>Makes <paramref name="elapsed"/> pass for the store's expiry; default: the manual clock.</summary>
    protected virtual Task ExpireAsync(IConversationPinStore store, TimeSpan elapsed)
    {
        Clock.Advance(elapsed);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task FindAsync_NothingSaved_ReturnsNull()
    {
        var store = CreateStore(Clock);

        Assert.Null(await store.FindAsync(Key("s1"), default));
    }

    [Fact]
    public async Task TrySaveAsync_InsertWithVersionZero_FindReturnsThePin()
    {
        var store = CreateStore(Clock);
        var pin = Pin(Key("s1"), "primary", version: 1);

        Assert.True(await store.TrySaveAsync(pin, 0, default));

        var found = await store.FindAsync(Key("s1"), default);
        Assert.NotNull(found);
        Assert.Equal("primary", found.ModelAlias);
        Assert.Equal("alpha", found.Provider);
        Assert.Equal(1, found.Version);
        Assert.Equal(1, found.Turns);
        Assert.Empty(found.FallbackHistory);
    }

    [Fact]
    public async Task TrySaveAsync_SecondInsert_Refused()
    {
        var store = CreateStore(Clock);
        Assert.True(await store.TrySaveAsync(Pin(Key("s1"), "primary", 1), 0, default));

        Assert.False(await store.TrySaveAsync(Pin(Key("s1"), "backup", 1), 0, default));
        Assert.Equal("primary", (await store.FindAsync(Key("s1"), default))!.ModelAlias);
    }

    [Fact]
    public async Task TrySaveAsync_ExpectedVersionMatches_Replaces()
    {
        var store = CreateStore(Clock);
        var first = Pin(Key("s1"), "primary", 1);
        await store.TrySaveAsync(first, 0, default);
        var moved = first with { ModelAlias = "backup", FallbackHistory = ["primary->backup"], Turns = 2, Version = 2 };

        Assert.True(await store.TrySaveAsync(moved, 1, default));

        var found = await store.FindAsync(Key("s1"), default);
        Assert.Equal("backup", found!.ModelAlias);
        Assert.Equal(["primary->backup"], found.FallbackHistory);
        Assert.Equal(2, found.Version);
    }

    [Fact]
    public async Task TrySaveAsync_StaleVersion_RefusedAndStoredPinKept()
    {
        var store = CreateStore(Clock);
        var first = Pin(Key("s1"), "primary", 1);
        await store.TrySaveAsync(first, 0, default);
        await store.TrySaveAsync(first with { ModelAlias = "backup", Version = 2 }, 1, default);

        Assert.False(await store.TrySaveAsync(first with { ModelAlias = "other", Version = 2 }, 1, default));
        Assert.Equal("backup", (await store.FindAsync(Key("s1"), default))!.ModelAlias);
    }

    [Fact]
    public async Task TrySaveAsync_UpdateOfAbsentPin_Refused()
    {
        var store = CreateStore(Clock);

        Assert.False(await store.TrySaveAsync(Pin(Key("s1"), "primary", 4), 3, default));
        Assert.Null(await store.FindAsync(Key("s1"), default));
    }

    [Fact]
    public async Task FindAsync_PastExpiry_ReturnsNullAndInsertIsAllowedAgain()
    {
        var store = CreateStore(Clock);
        await store.TrySaveAsync(Pin(Key("s1"), "primary", 1, ttl: TimeSpan.FromMinutes(10)), 0, default);

        await ExpireAsync(store, TimeSpan.FromMinutes(11));

        Assert.Null(await store.FindAsync(Key("s1"), default));
        Assert.True(await store.TrySaveAsync(Pin(Key("s1"), "backup", 1, ttl: TimeSpan.FromMinutes(10)), 0, default));
        Assert.Equal("backup", (await store.FindAsync(Key("s1"), default))!.ModelAlias);
    }

    [Fact]
    public async Task FindAsync_BeforeExpiry_StillThere()
    {
        var store = CreateStore(Clock);
        await store.TrySaveAsync(Pin(Key("s1"), "primary", 1, ttl: TimeSpan.FromMinutes(10)), 0, default);

        await ExpireAsync(store, TimeSpan.FromMinutes(9));

        Assert.NotNull(await store.FindAsync(Key("s1"), default));
    }

    [Fact]
    public async Task Keys_SameSessionDifferentScope_AreDifferentConversations()
    {
        var store = CreateStore(Clock);
        var mine = new ConversationKey("vk-1", _prefix + "s1");
        var theirs = new ConversationKey("vk-2", _prefix + "s1");
        await store.TrySaveAsync(Pin(mine, "primary", 1), 0, default);

        Assert.Null(await store.FindAsync(theirs, default));
        Assert.True(await store.TrySaveAsync(Pin(theirs, "backup", 1), 0, default));
        Assert.Equal("primary", (await store.FindAsync(mine, default))!.ModelAlias);
        Assert.Equal("backup", (await store.FindAsync(theirs, default))!.ModelAlias);
    }

    [Fact]
    public async Task TrySaveAsync_ConcurrentWritersOfOneVersion_ExactlyOneWins()
    {
        var store = CreateStore(Clock);
        var first = Pin(Key("s1"), "primary", 1);
        await store.TrySaveAsync(first, 0, default);

        var attempts = Enumerable.Range(0, 8)
            .Select(i => store.TrySaveAsync(first with { ModelAlias = "m" + i, Version = 2 }, 1, default).AsTask())
            .ToArray();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        Assert.Equal(2, (await store.FindAsync(Key("s1"), default))!.Version);
    }

    protected ConversationKey Key(string session) => new(ConversationKey.AnonymousScope, _prefix + session);

    protected ConversationPin Pin(ConversationKey key, string model, long version, TimeSpan? ttl = null)
    {
        var now = Clock.GetUtcNow();
        return new ConversationPin(key, model, "alpha", 1, [], now, now, now + (ttl ?? TimeSpan.FromHours(1)), version);
    }
}
