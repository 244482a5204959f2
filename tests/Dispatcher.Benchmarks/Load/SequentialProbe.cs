using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Dispatcher.Benchmarks.Harness;
using Dispatcher.Benchmarks.Reporting;

namespace Dispatcher.Benchmarks.Load;

/// <summary>
/// Requests one at a time from the harness (no wrk running meanwhile, so nothing competes for the cores): time to
/// the first body byte, whole-answer latency, and Dispatcher's own <c>x-dispatcher-overhead-ms</c> header.
/// </summary>
internal static class SequentialProbe
{
    public static async Task<ProbeResult> RunAsync(HttpClient client, Target target, bool stream, int requests)
    {
        var body = Encoding.UTF8.GetBytes(ChatBody.For(target.Model, stream));
        var latencies = new List<double>(requests);
        var firstBytes = new List<double>(requests);
        var overheads = new List<double>(requests);
        var attempts = new List<string>(requests);
        var servedBy = new List<string>(requests);
        var errors = 0;
        string? firstError = null;
        var buffer = new byte[16 * 1024];
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.ChatUrl) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-bench");
            foreach (var (name, value) in target.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            var clock = Stopwatch.StartNew();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var content = await response.Content.ReadAsStreamAsync();
            var read = await content.ReadAsync(buffer);
            var firstByte = clock.Elapsed.TotalMilliseconds;
            while (read > 0)
            {
                read = await content.ReadAsync(buffer);
            }

            var total = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                errors++;
                firstError ??= $"HTTP {(int)response.StatusCode}";
                continue;
            }

            latencies.Add(total);
            firstBytes.Add(firstByte);
            if (Header(response, "x-dispatcher-overhead-ms") is { } overhead
                && double.TryParse(overhead, NumberStyles.Float, CultureInfo.InvariantCulture, out var overheadMs))
            {
                overheads.Add(overheadMs);
            }

            if (Header(response, "x-dispatcher-attempts") is { } attempt)
            {
                attempts.Add(attempt);
            }

            if (Header(response, "x-dispatcher-model") is { } model)
            {
                servedBy.Add(model);
            }
        }

        return new ProbeResult(
            requests,
            errors,
            Stats.Percentile(latencies, 50),
            Stats.Percentile(firstBytes, 50),
            overheads.Count > 0 ? Stats.Percentile(overheads, 50) : null,
            MostFrequent(attempts),
            MostFrequent(servedBy),
            firstError);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string? MostFrequent(List<string> values) =>
        values.Count == 0 ? null : values.GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).First().Key;
}
