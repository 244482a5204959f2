using Npgsql;

namespace Dispatcher.Silo.Postgres;

/// <summary>
/// A component's schema, migrated on first use rather than at start-up: once per process, and again after a failed
/// attempt (a database that was away at start costs only the calls made meanwhile). For stores whose first use is a
/// request's, such as conversation pins and virtual keys.
/// </summary>
internal sealed class LazySchema : IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _component;
    private readonly IReadOnlyList<string> _migrations;
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private volatile bool _migrated;

    public LazySchema(NpgsqlDataSource dataSource, string component, IReadOnlyList<string> migrations)
    {
        _dataSource = dataSource;
        _component = component;
        _migrations = migrations;
    }

    /// <summary>Returns at once when migrated; otherwise migrates (one caller at a time).</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _migrating.WaitAsync(cancellationToken);
        try
        {
            if (!_migrated)
            {
                await PostgresMigrator.ApplyAsync(_dataSource, _component, _migrations, cancellationToken);
                _migrated = true;
            }
        }
        finally
        {
            _migrating.Release();
        }
    }

    public void Dispose() => _migrating.Dispose();
}
