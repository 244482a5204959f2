using System.Text;
using System.Text.Json;

namespace Dispatcher.ApiFront.Tests.TestHost;

/// <summary>Reads what a client sees in SSE data payloads: the text, the chunk ids and models, the final objects.</summary>
public static class StreamEvents
{
    public static string Text(IEnumerable<string> events)
    {
        var text = new StringBuilder();
        foreach (var choice in Choices(events))
        {
            if (choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString());
            }
        }

        return text.ToString();
    }

    /// <summary>The distinct values of <paramref name="property"/> over the chunks that carry choices.</summary>
    public static string[] Distinct(IEnumerable<string> events, string property) =>
        events.Where(e => e != "[DONE]")
            .Select(e => JsonDocument.Parse(e).RootElement)
            .Where(chunk => chunk.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0)
            .Select(chunk => chunk.GetProperty(property).GetString()!)
            .Distinct()
            .ToArray();

    public static JsonElement Dispatcher(string finalEvent) => JsonDocument.Parse(finalEvent).RootElement.GetProperty("dispatcher");

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    private static IEnumerable<JsonElement> Choices(IEnumerable<string> events)
    {
        foreach (var data in events.Where(e => e != "[DONE]"))
        {
            var chunk = JsonDocument.Parse(data).RootElement;
            if (chunk.TryGetProperty("choices", out var choices))
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    yield return choice;
                }
            }
        }
    }
}
