using System.Collections.Concurrent;
using System.Threading.Channels;
using Dispatcher.Grains.Configuration;
using Dispatcher.Grains.Providers;
using Dispatcher.Silo.Hosting;
using Dispatcher.Silo.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dispatcher.Silo.Authority;

/// <summary>
/// The authority of a PostgreSQL cluster. Hands the provider actors <see cref="ClusterBreaker"/> and
/// <see cref="LeasedKeyBudget"/> views that answer from memory, and keeps them in step in the background: one loop
/// reports outcomes in batches (at most one round trip per <see cref="ClusterOptions.ReportInterval"/>), refills and
/// renews leases, heartbeats the node's membership row and resyncs the breaker rows; another listens for the
/// breaker changes the database broadcasts. No request ever waits on the database.
/// </summary>
/// <remarks>
/// When the database cannot be reached the node is <em>degraded</em>: breakers decide locally on this node's
/// outcomes, and a key whose lease is gone gets its Rpm/Tpm divided by the number of nodes last seen alive. At start
/// it keeps trying and /readyz answers 503 until it has joined (schema migrated, node registered, leases taken).
/// </remarks>
internal sealed partial class PostgresProviderAuthority : IProviderAuthority, IHostedService, IAsyncDisposable
{
    // How long start-up waits for the first join (migrations included) before serving degraded and trying on.
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(15);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresProviderAuthority> _logger;
    private readonly NodeReadiness _readiness;
    private readonly ConcurrentDictionary<(string Provider, string Model), ClusterBreaker> _breakers = new();
    private readonly ConcurrentBag<LeasedKeyBudget> _budgets = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new(); // cancelled, never disposed: see DisposeAsync
    private long _clockOffsetTicks;
    private volatile bool _degraded = true;
    private volatile bool _joined;
    private volatile int _liveNodes = 1;
    private Task? _syncLoop;
    private Task? _listenLoop;

    public PostgresProviderAuthority(NpgsqlDataSource dataSource, IOptions<DispatcherOptions> options, TimeProvider time,
        ILogger<PostgresProviderAuthority> logger, NodeReadiness readiness)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource;
        _options = options.Value.Cluster;
        _time = time;
        _logger = logger;
        _readiness = readiness;
        NodeId = _options.NodeId ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        readiness.ExpectClusterJoin();
    }

    public string Mode => "postgres";

    /// <summary>This node's id in <c>dispatcher_nodes</c> and in lease rows.</summary>
    public string NodeId { get; }

    /// <summary>True while the database cannot be reached: views decide locally, conservatively.</summary>
    public bool IsDegraded => _degraded;

    /// <summary>Nodes whose heartbeat was fresh at the last look (at least 1: this one).</summary>
    public int LiveNodes => _liveNodes;

    /// <summary>The database clock minus this node's, as last measured.</summary>
    public TimeSpan ClockOffset => TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));

    public IDeploymentBreaker GetBreaker(string provider, string upstreamModel, BreakerOptions options) =>
        _breakers.GetOrAdd((provider, upstreamModel), static (key, state) =>
            new ClusterBreaker(state.Authority, key.Provider, key.Model, state.Options, state.Authority._time), (Authority: this, Options: options));

    public IKeyBudget GetBudget(string provider, string keyId, int? rpm, int? tpm)
    {
        var budget = new LeasedKeyBudget(this, provider, keyId, rpm, tpm, _time);
        _budgets.Add(budget);
        if (_joined)
        {
            WakeRefill();
        }

        return budget;
    }

    /// <summary>An outcome is waiting to be reported: the loop runs within one report interval.</summary>
    public void WakeReport() => _wake.Writer.TryWrite(true);

    /// <summary>A lease runs low: the loop runs within one report interval.</summary>
    public void WakeRefill() => _wake.Writer.TryWrite(true);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(JoinTimeout);
            await JoinAsync(attempt.Token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException
            && !cancellationToken.IsCancellationRequested)
        {
            Log.CannotJoin(_logger, Describe(_dataSource.ConnectionString), e.Message);
        }

        _syncLoop = Task.Run(SyncLoopAsync, CancellationToken.None);
        _listenLoop = Task.Run(ListenLoopAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var loop in new[] { _syncLoop, _listenLoop })
        {
            if (loop is not null)
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (!_joined)
        {
            return;
        }

        try
        {
            // The last outcomes, then give back what this node holds and leave the membership.
            await ReportOutcomesAsync(cancellationToken);
            await LeaveAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            Log.LeaveFailed(_logger, e.Message);
        }
    }

    // Registered under two service types, so the container may call this twice: cancelling again is harmless.
    public async ValueTask DisposeAsync() => await _stopping.CancelAsync();

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        var (from, to) = await PostgresMigrator.ApplyAsync(_dataSource, "authority", PostgresAuthoritySchema.Migrations, cancellationToken);
        await HeartbeatAsync(cancellationToken);
        await ResyncBreakersAsync(cancellationToken);
        await RefillAsync(cancellationToken);
        _degraded = false;
        _joined = true;
        _readiness.MarkClusterJoined();
        Log.Joined(_logger, NodeId, Describe(_dataSource.ConnectionString), from, to);
    }

    private void MeasureClock(DateTimeOffset databaseNow)
    {
        var offset = databaseNow - _time.GetUtcNow();
        Interlocked.Exchange(ref _clockOffsetTicks, offset.Ticks);
    }

    // Host, port and database only: a connection string can carry a password.
    private static string Describe(string? connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
