using Dispatcher.Grains.Conversations;
using Dispatcher.Grains.Tests.Conversations;
using Dispatcher.Silo.Conversations;
using Dispatcher.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Dispatcher.Silo.Tests.Conversations;

/// <summary>One PostgreSQL database for the class; the contract gives every test its own session ids.</summary>
public sealed class PinDatabase : IAsyncLifetime
{
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync() => DataSource = NpgsqlDataSource.Create(await PostgresTestServer.CreateDatabaseAsync("pins"));

    public async Task DisposeAsync() => await DataSource.DisposeAsync();
}

public sealed class PostgresConversationPinStoreTests : ConversationPinStoreContract, IClassFixture<PinDatabase>
{
    private readonly PinDatabase _database;

    public PostgresConversationPinStoreTests(PinDatabase database) => _database = database;

    protected override IConversationPinStore CreateStore(TimeProvider time) =>
        new PostgresConversationPinStore(_database.DataSource, time, NullLogger<PostgresConversationPinStore>.Instance);

    [Fact]
    public async Task UnreachableDatabase_FindsNoPin_AndASaveReportsFailure_WithinTheBound()
    {
        await using var nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Timeout=1");
        using var store = new PostgresConversationPinStore(nowhere, TimeProvider.System, NullLogger<PostgresConversationPinStore>.Instance);
        var key = new ConversationKey("anonymous", "s");
        var now = DateTimeOffset.UtcNow;

        Assert.Null(await store.FindAsync(key, default));
        Assert.False(await store.TrySaveAsync(new ConversationPin(key, "m", "p", 1, [], now, now, now.AddHours(1), 1), 0, default));
    }
}
