using System.Text.Json;
using Dispatcher.Grains.Providers;
using Npgsql;

namespace Dispatcher.Silo.Authority;

// Breaker notifications: one connection LISTENs; every state change the database broadcasts is applied at once.
internal sealed partial class PostgresProviderAuthority
{
    private async Task ListenLoopAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => OnBreakerNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresAuthoritySchema.BreakerChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                // Whatever changed while this connection was not listening.
                if (_joined)
                {
                    await ResyncBreakersAsync(stopping);
                }

                while (true)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or IOException)
            {
                Log.ListenFailed(_logger, e.Message);
                await Task.Delay(_options.ReportInterval * 5, _time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void OnBreakerNotification(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            var key = (root.GetProperty("provider").GetString()!, root.GetProperty("model").GetString()!);
            if (!_breakers.TryGetValue(key, out var breaker))
            {
                return;
            }

            var openUntilMs = root.GetProperty("open_until_ms");
            var openUntil = openUntilMs.ValueKind == JsonValueKind.Number
                ? DateTimeOffset.FromUnixTimeMilliseconds(openUntilMs.GetInt64()) - ClockOffset
                : (DateTimeOffset?)null;
            var state = root.GetProperty("state").GetString() == "open" ? BreakerState.Open : BreakerState.Closed;
            var current = breaker.Row;
            var row = new BreakerRow(state, openUntil, root.GetProperty("version").GetInt64(),
                state == BreakerState.Closed ? 0 : current.Successes, state == BreakerState.Closed ? 0 : current.Failures);
            if (breaker.Apply(row))
            {
                Log.BreakerChanged(_logger, breaker.Provider, breaker.Model, breaker.State.ToString(), row.Version);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Log.BadNotification(_logger, e.Message);
        }
    }
}
