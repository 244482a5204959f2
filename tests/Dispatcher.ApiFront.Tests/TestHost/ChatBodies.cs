using System.Net.Http.Headers;
using System.Text;

namespace Dispatcher.ApiFront.Tests.TestHost;

/// <summary>Raw request helpers for what the SDK cannot show (headers of a stream, malformed bodies, SSE events).</summary>
public static class ChatBodies
{
    public static string Simple(string model, bool stream = false, bool includeUsage = false) =>
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]"
        + (stream ? ",\"stream\":true" : string.Empty)
        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : string.Empty) + "}";

    public static HttpRequestMessage Post(string body, string contentType = "application/json")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"missing header {name}");

    /// <summary>Reads a whole SSE body into its data payloads; a connection aborted at the end is reported, not thrown.</summary>
    public static async Task<(List<string> Events, bool Aborted)> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<string>();
        var aborted = false;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events.Add(line["data: ".Length..]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            aborted = true;
        }

        return (events, aborted);
    }
}
