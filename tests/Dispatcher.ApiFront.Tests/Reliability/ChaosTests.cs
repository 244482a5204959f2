using System.Collections.Concurrent;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using Microsoft.Data.Sqlite;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>
/// Polly's chaos strategies on the primary of a chain with a healthy fallback, under concurrent load: clients see
/// no error, every request has exactly one ledger row whose trail shows the injected failures, and every upstream
/// call is accounted for. Nothing a client, a log line or the trail sees holds a credential.
/// </summary>
[Collection(DispatcherCollection.Name)]
public sealed class ChaosTests
{
    private const int Requests = 300;
    private const int Concurrency = 16;

    private readonly DispatcherFixture _node;
    private readonly ITestOutputHelper _output;

    public ChaosTests(DispatcherFixture node, ITestOutputHelper output)
    {
        _node = node;
        _output = output;
        _node.Reset();
    }

    [Fact]
    public async Task ChaosApi_PutGetDelete_ChangesWhatTheNodeInjects()
    {
        using var put = await _node.Http.PutAsync("/v1/dispatcher/chaos", Json("""{"providers":[{"name":"chaotic","outcome_rate":1,"outcome_status":504}]}"""));
        using var injected = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chaos-chain")));
        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync("/v1/dispatcher/chaos"));
        using var delete = await _node.Http.DeleteAsync("/v1/dispatcher/chaos");
        _node.Clock.Advance(TimeSpan.FromHours(1));
        using var clean = await _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chaos-chain")));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("backup", ChatBodies.Header(injected, "x-dispatcher-model"));
        Assert.Equal("chaotic=timeout", ChatBodies.Header(injected, "x-dispatcher-fallback-reasons"));
        Assert.True(document.RootElement.GetProperty("enabled").GetBoolean());
        var chaotic = document.RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "chaotic");
        Assert.Equal(1.0, chaotic.GetProperty("outcome_rate").GetDouble());
        Assert.Equal(504, chaotic.GetProperty("outcome_status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal("chaotic", ChatBodies.Header(clean, "x-dispatcher-model"));
        Assert.Equal(1, _node.Upstream.CallCount("chaotic-model"));
    }

    [Fact]
    public async Task ChaosLatency_LongerThanTheFirstTokenTimeout_EndsAsThatTimeoutAndTheBackupServes()
    {
        using var put = await _node.Http.PutAsync("/v1/dispatcher/chaos", Json("""{"providers":[{"name":"chaotic","latency_rate":1,"latency_ms":10000}]}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var pending = _node.Http.SendAsync(ChatBodies.Post(ChatBodies.Simple("chaos-chain", stream: true)), HttpCompletionOption.ResponseHeadersRead);
        using (var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await _node.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(10), waiting.Token);
        }

        _node.Clock.Advance(TimeSpan.FromSeconds(5));
        using var response = await pending;
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);

        Assert.Equal("backup", ChatBodies.Header(response, "x-dispatcher-model"));
        Assert.Equal("chaotic=first_token_timeout", ChatBodies.Header(response, "x-dispatcher-fallback-reasons"));
        Assert.False(aborted);
        Assert.Equal("[DONE]", events[^1]);
        Assert.Equal(0, _node.Upstream.CallCount("chaotic-model"));
    }

    [Theory]
    [InlineData("""{"providers":[{"name":"nope","fault_rate":0.5}]}""", 404, "provider_not_found")]
    [InlineData("""{"providers":[{"name":"chaotic","fault_rate":1.5}]}""", 400, "invalid_request")]
    [InlineData("""{"providers":[{"name":"chaotic","outcome_rate":0.5,"outcome_status":200}]}""", 400, "invalid_request")]
    [InlineData("""{"providers":""", 400, "invalid_request")]
    public async Task ChaosApi_BadPut_RefusedAndNothingChanges(string body, int status, string code)
    {
        using var response = await _node.Http.PutAsync("/v1/dispatcher/chaos", Json(body));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var settings = JsonDocument.Parse(await _node.Http.GetStringAsync("/v1/dispatcher/chaos"));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(code, document.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.All(settings.RootElement.GetProperty("providers").EnumerateArray(), p => Assert.Equal(0.0, p.GetProperty("fault_rate").GetDouble()));
    }

    [Fact]
    public async Task Chaos_RandomFaultsOnPrimaryUnderLoad_NoClientErrorsAndTheLedgerAccountsForEveryRequestOnce()
    {
        using var put = await _node.Http.PutAsync("/v1/dispatcher/chaos",
            Json("""{"providers":[{"name":"chaotic","fault_rate":0.2,"outcome_rate":0.3,"outcome_status":503}]}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var served = new ConcurrentBag<(string RequestId, int Attempts, string Model, bool Stream)>();
        var problems = new ConcurrentQueue<string>();
        var chat = _node.Chat("chaos-chain");

        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, token) =>
        {
            try
            {
                served.Add(i % 2 == 0 ? await CompleteWithSdkAsync(chat, token) : await StreamRawAsync(token));
            }
            catch (Exception ex) when (ex is System.ClientModel.ClientResultException or HttpRequestException or InvalidOperationException)
            {
                problems.Enqueue($"request {i}: {ex.Message}");
            }
        });
        using var off = await _node.Http.DeleteAsync("/v1/dispatcher/chaos");

        var trails = new List<JsonDocument>();
        try
        {
            foreach (var (requestId, _, _, _) in served)
            {
                using var trail = await _node.Http.GetAsync($"/v1/dispatcher/requests/{requestId}");
                var text = await trail.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, trail.StatusCode);
                Assert.Null(SecretScan.Find(text));
                trails.Add(JsonDocument.Parse(text));
            }

            var tally = Tally(trails, served.ToDictionary(static s => s.RequestId));
            var rows = CountLedgerRows(served.Select(static s => s.RequestId).ToArray());
            _output.WriteLine($"chaos run: {Requests} requests ({Concurrency} concurrent, half streaming), {problems.Count} client-visible errors; "
                + $"{tally.Attempts} attempts, {tally.Injected} injected ({tally.InjectedFaults} connection faults, {tally.InjectedStatuses} HTTP 503), "
                + $"served by primary {tally.ServedByPrimary}, by fallback {tally.ServedByFallback}; ledger rows {rows.Requests}, spend rows {rows.Spend}; "
                + $"{_node.Logs.Lines} log lines scanned, {_node.Logs.Leaks.Count} with a credential");

            Assert.Empty(problems);
            Assert.Equal(Requests, served.Select(static s => s.RequestId).Distinct().Count());
            Assert.Equal(Requests, rows.Requests);
            Assert.Equal(tally.UpstreamCalls, rows.Spend);
            Assert.True(tally.Injected > Requests / 4, $"only {tally.Injected} injected failures");
            Assert.True(tally.ServedByPrimary > 0 && tally.ServedByFallback > 0);
            Assert.Equal(tally.ReachedPrimary, _node.Upstream.CallCount("chaotic-model"));
            Assert.Equal(tally.ReachedFallback, _node.Upstream.CallCount("backup-model"));
            Assert.Empty(_node.Logs.Leaks);
            Assert.True(_node.Logs.Lines > Requests, "the log scan saw nothing");
        }
        finally
        {
            foreach (var trail in trails)
            {
                trail.Dispose();
            }
        }
    }

    private static (int Attempts, int Injected, int InjectedFaults, int InjectedStatuses, int ServedByPrimary, int ServedByFallback,
        int ReachedPrimary, int ReachedFallback, int UpstreamCalls) Tally(
        List<JsonDocument> trails, Dictionary<string, (string RequestId, int Attempts, string Model, bool Stream)> served)
    {
        int attempts = 0, injected = 0, faults = 0, statuses = 0, primary = 0, fallback = 0, reachedPrimary = 0, reachedFallback = 0, calls = 0;
        foreach (var trail in trails)
        {
            var root = trail.RootElement;
            var client = served[root.GetProperty("request_id").GetString()!];
            Assert.Equal(200, root.GetProperty("status").GetInt32());
            Assert.Equal(client.Model, root.GetProperty("served_model").GetString());
            var list = root.GetProperty("attempts");
            Assert.Equal(client.Attempts, list.GetArrayLength());
            attempts += list.GetArrayLength();
            foreach (var attempt in list.EnumerateArray())
            {
                var kind = attempt.GetProperty("kind").GetString();
                var isInjected = attempt.TryGetProperty("injected", out var flag) && flag.GetBoolean();
                var model = attempt.GetProperty("model").GetString();
                calls += attempt.GetProperty("key_id").ValueKind == JsonValueKind.String ? 1 : 0;
                if (isInjected)
                {
                    injected++;
                    faults += kind == "connection_failed" ? 1 : 0;
                    statuses += kind == "server_error" ? 1 : 0;
                    Assert.Equal("chaotic", model);
                    Assert.StartsWith("injected by chaos: ", attempt.GetProperty("detail").GetString(), StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal("served", kind);
                    reachedPrimary += model == "chaotic" ? 1 : 0;
                    reachedFallback += model == "backup" ? 1 : 0;
                }
            }

            primary += client.Model == "chaotic" ? 1 : 0;
            fallback += client.Model == "backup" ? 1 : 0;
        }

        return (attempts, injected, faults, statuses, primary, fallback, reachedPrimary, reachedFallback, calls);
    }

    private static async Task<(string, int, string, bool)> CompleteWithSdkAsync(ChatClient chat, CancellationToken token)
    {
        var result = await chat.CompleteChatAsync([new UserChatMessage("Under chaos.")], cancellationToken: token);
        var raw = result.GetRawResponse();
        Assert.Null(SecretScan.Find(raw.Content.ToString()));
        Assert.Equal("Hello from the fake upstream.", result.Value.Content[0].Text);
        return (Header(raw, "x-dispatcher-request-id"), int.Parse(Header(raw, "x-dispatcher-attempts"), CultureInfo.InvariantCulture),
            Header(raw, "x-dispatcher-model"), false);
    }

    private async Task<(string, int, string, bool)> StreamRawAsync(CancellationToken token)
    {
        using var request = ChatBodies.Post(ChatBodies.Simple("chaos-chain", stream: true));
        using var response = await _node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        var (events, aborted) = await ChatBodies.ReadEventsAsync(response);
        if (response.StatusCode != HttpStatusCode.OK || aborted || events.Count == 0 || events[^1] != "[DONE]")
        {
            throw new InvalidOperationException($"stream ended badly: {(int)response.StatusCode}, aborted {aborted}, last {events.LastOrDefault()}");
        }

        Assert.Null(SecretScan.Find(string.Join('\n', events)));
        Assert.Null(SecretScan.Find(response.Headers.ToString()));
        return (ChatBodies.Header(response, "x-dispatcher-request-id"),
            int.Parse(ChatBodies.Header(response, "x-dispatcher-attempts"), CultureInfo.InvariantCulture), ChatBodies.Header(response, "x-dispatcher-model"), true);
    }

    private (long Requests, long Spend) CountLedgerRows(string[] requestIds)
    {
        var path = Path.Combine(_node.DataDirectory, "dispatcher.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        var names = new StringBuilder();
        for (var i = 0; i < requestIds.Length; i++)
        {
            names.Append(i == 0 ? "@p0" : ",@p" + i.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("@p" + i.ToString(CultureInfo.InvariantCulture), requestIds[i]);
        }

        command.CommandText = $"SELECT (SELECT COUNT(*) FROM requests WHERE request_id IN ({names})), (SELECT COUNT(*) FROM spend WHERE request_id IN ({names}))";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string Header(PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value! : throw new Xunit.Sdk.XunitException($"missing header {name}");

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
