using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dispatcher.ApiFront.Hosting;
using Dispatcher.ApiFront.Tests.TestHost;
using Dispatcher.FakeUpstream;
using Dispatcher.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>
/// A node told to stop while a stream is in flight: it stops accepting, lets the stream finish within the drain
/// timeout or ends it with a typed error event when the timeout passes, and its ledger holds the row afterwards.
/// Its own node (it is stopped), in front of the shared fake upstream.
/// </summary>
[Collection(DispatcherCollection.Name)]
public sealed class GracefulShutdownTests : IAsyncLifetime
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    private readonly DispatcherFixture _shared;
    private readonly ITestOutputHelper _output;
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dispatcher-drain-" + Guid.NewGuid().ToString("N"));
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public GracefulShutdownTests(DispatcherFixture shared, ITestOutputHelper output)
    {
        _shared = shared;
        _output = output;
        _shared.Reset();
    }

    public async Task InitializeAsync()
    {
        var upstream = _shared.Upstream.BaseUrl.ToString();
        _app = DispatcherHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dispatcher:DataDirectory"] = _dataDirectory,
                ["Dispatcher:Shutdown:DrainTimeout"] = "00:00:20",
                ["Dispatcher:Providers:up:Kind"] = "openai",
                ["Dispatcher:Providers:up:BaseUrl"] = upstream,
                ["Dispatcher:Providers:up:ApiKeys:0"] = "sk-test-drain-0001",
                ["Dispatcher:Models:drain:Provider"] = "up",
                ["Dispatcher:Models:drain:UpstreamModel"] = "drain-model",
                ["Dispatcher:Models:drain:Timeouts:Idle"] = "00:10:00",
                ["Dispatcher:Models:drain:Timeouts:Total"] = "00:10:00",
            });
            builder.Services.AddSingleton<TimeProvider>(_clock);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _app.StartAsync();
        _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => _stopping.TrySetResult());
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    [Fact]
    public async Task Stop_StreamInFlight_StopsAcceptingLetsTheStreamFinishAndKeepsItsLedgerRow()
    {
        _shared.Upstream.Enqueue("drain-model", FakeBehavior.Ok() with { ChunkDelay = TimeSpan.FromMilliseconds(150) });
        using var response = await _http.SendAsync(ChatBodies.Post(ChatBodies.Simple("drain", stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var requestId = ChatBodies.Header(response, "x-dispatcher-request-id");
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await body.ReadLineAsync());

        var stop = _app.StopAsync();
        await _stopping.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var refused = await NewConnectionRefusedAsync();
        var rest = await body.ReadToEndAsync();
        await stop;
        await _app.DisposeAsync();

        Assert.True(refused, "the stopping node still accepted a new connection");
        Assert.Contains("\"outcome\":\"completed\"", rest, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        var (status, outcome) = LedgerRow(requestId);
        Assert.Equal(200, status);
        Assert.Equal("completed", outcome);
    }

    [Fact]
    public async Task Stop_StreamOutlivesTheDrainTimeout_EndsWithTypedErrorEventAndKeepsItsLedgerRow()
    {
        _shared.Upstream.Enqueue("drain-model", FakeBehavior.StallMidStream(1));
        using var response = await _http.SendAsync(ChatBodies.Post(ChatBodies.Simple("drain", stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var requestId = ChatBodies.Header(response, "x-dispatcher-request-id");
        var reading = ChatBodies.ReadEventsAsync(response);

        var stop = _app.StopAsync();
        using (var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _clock.WaitForTimerAsync(DrainTimeout, waiting.Token);
        }

        _clock.Advance(DrainTimeout);
        var (events, aborted) = await reading.WaitAsync(TimeSpan.FromSeconds(20));
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();

        _output.WriteLine("last event: " + events[^1]);
        Assert.True(aborted, "the cut stream must not end cleanly");
        using var error = JsonDocument.Parse(events[^1]);
        Assert.Equal("cancelled", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("[DONE]", events);
        var (status, _) = LedgerRow(requestId);
        Assert.Equal(200, status);
        using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _shared.Upstream.WaitForNoActiveStreamsAsync(idle.Token);
    }

    private async Task<bool> NewConnectionRefusedAsync()
    {
        // Kestrel unbinds its listeners as its stop begins, just after ApplicationStopping: the socket state is the
        // only signal there is, so try a few times within a bound.
        var port = new Uri(_app.Urls.First()).Port;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private (int Status, string Outcome) LedgerRow(string requestId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "dispatcher.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, outcome FROM requests WHERE request_id = $id";
        command.Parameters.AddWithValue("$id", requestId);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"no ledger row for {requestId}");
        return (reader.GetInt32(0), reader.GetString(1));
    }
}
