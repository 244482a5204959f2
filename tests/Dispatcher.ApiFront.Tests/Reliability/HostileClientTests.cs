using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dispatcher.ApiFront.Tests.TestHost;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace Dispatcher.ApiFront.Tests.Reliability;

/// <summary>
/// The front under a generated corpus of hostile requests: every one gets an OpenAI-shaped 4xx or a valid answer,
/// never a 5xx; the node keeps serving and its managed heap does not grow with the corpus.
/// </summary>
[Collection(DispatcherCollection.Name)]
public sealed class HostileClientTests
{
    private const int CorpusSize = 10_000;
    private const long MaxHeapGrowthBytes = 24L * 1024 * 1024;

    private readonly DispatcherFixture _node;
    private readonly ITestOutputHelper _output;

    public HostileClientTests(DispatcherFixture node, ITestOutputHelper output)
    {
        _node = node;
        _output = output;
        _node.Reset();
    }

    [Fact]
    public async Task Corpus_TenThousandHostileRequests_NeverA5xxAndMemoryBounded()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DISPATCHER_CORPUS_SEED"), CultureInfo.InvariantCulture, out var chosen)
            ? chosen : HostileCorpus.DefaultSeed;
        var corpus = HostileCorpus.Generate(seed, CorpusSize, DispatcherFixture.MaxBodyBytes);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var heaps = new List<long> { SettledHeap() };
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = _node.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Five batches with a settled heap after each: pools fill during the first, then the heap must stay flat.
        foreach (var batch in corpus.Chunk(CorpusSize / 5))
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = timeout.Token }, async (hostile, token) =>
            {
                var verdict = await SendAndJudgeAsync(http, hostile, token);
                statuses.AddOrUpdate(verdict.Status, 1, static (_, count) => count + 1);
                if (verdict.Problem is { } problem)
                {
                    failures.Enqueue($"#{hostile.Number} {hostile.Family} ({hostile.Delivery}): {problem}");
                }
            });
            _node.Upstream.Reset();  // the fake's own log of received requests is not the node's memory
            heaps.Add(SettledHeap());
        }

        clock.Stop();
        var healthy = await _node.Chat("chain").CompleteChatAsync([new UserChatMessage("Still there?")]);
        _output.WriteLine($"hostile corpus: {corpus.Count} requests, seed {seed}, {clock.Elapsed.TotalSeconds:F1} s, {failures.Count} failures");
        _output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(static s => s.Key).Select(static s => $"{s.Key}={s.Value}")));
        _output.WriteLine("managed heap after a full GC, before and after each 2,000: "
            + string.Join(" -> ", heaps.Select(static heap => (heap / 1048576.0).ToString("F1", CultureInfo.InvariantCulture))) + " MB");
        foreach (var failure in failures.Take(20))
        {
            _output.WriteLine(failure);
        }

        Assert.Empty(failures);
        Assert.DoesNotContain(statuses.Keys, static status => status >= 500);
        Assert.Equal("Hello from the fake upstream.", healthy.Value.Content[0].Text);
        Assert.True(heaps[^1] - heaps[1] < MaxHeapGrowthBytes, $"heap grew by {(heaps[^1] - heaps[1]) / 1048576.0:F1} MB after the first batch");
    }

    private static async Task<(int Status, string? Problem)> SendAndJudgeAsync(HttpClient http, HostileCase hostile, CancellationToken token)
    {
        try
        {
            if (hostile.Delivery != HostileDelivery.Plain)
            {
                var raw = await RawHttp.SendAsync(http.BaseAddress!, hostile, token);
                return (raw.Status, Judge(hostile, raw.Status, raw.Header("Content-Type"), raw.Body));
            }

            using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), "/v1/chat/completions") { Content = new ByteArrayContent(hostile.Body) };
            if (hostile.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            foreach (var (name, value) in hostile.Headers)
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            var body = await response.Content.ReadAsByteArrayAsync(token);
            return ((int)response.StatusCode, Judge(hostile, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (0, "no answer: " + ex.GetType().Name + " " + ex.Message);
        }
    }

    /// <summary>Null when the answer is acceptable; otherwise what is wrong with it.</summary>
    private static string? Judge(HostileCase hostile, int status, string? contentType, byte[] body)
    {
        if (SecretScan.Find(body) is { } secret)
        {
            return "an upstream credential in the body: " + secret;
        }

        if (status is >= 200 and < 300)
        {
            var text = Encoding.UTF8.GetString(body);
            var valid = contentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true
                ? text.Contains("data: [DONE]", StringComparison.Ordinal)
                : text.Contains("\"choices\"", StringComparison.Ordinal);
            return valid ? null : $"{status} that is not a chat completion: {Excerpt(text)}";
        }

        if (status == 0 && hostile.Delivery == HostileDelivery.Truncated)
        {
            // The client stopped writing short of its Content-Length: Kestrel takes the half-close as the client
            // leaving and closes the connection without an answer. What matters is what follows: the node serves on.
            return null;
        }

        if (status is < 400 or >= 500)
        {
            return $"status {status}: {Excerpt(Encoding.UTF8.GetString(body))}";
        }

        // Kestrel refuses malformed HTTP (bad header bytes, a body cut short) before any application code runs,
        // with a bare 4xx: no OpenAI shape is possible there, only the status.
        if (hostile.ProtocolLevel && body.Length == 0)
        {
            return null;
        }

        return IsOpenAiError(contentType, body) ? null : $"{status} without an OpenAI-shaped error: {Excerpt(Encoding.UTF8.GetString(body))}";
    }

    private static bool IsOpenAiError(string? contentType, byte[] body)
    {
        if (contentType is null || !contentType.StartsWith("application/json", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var error = document.RootElement.GetProperty("error");
            return error.GetProperty("message").GetString() is { Length: > 0 }
                && error.TryGetProperty("type", out _) && error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static long SettledHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
