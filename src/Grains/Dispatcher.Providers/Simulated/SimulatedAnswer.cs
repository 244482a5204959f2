using System.Text.Json;

namespace Dispatcher.Providers.Simulated;

/// <summary>The text and usage of a simulated answer, and the JSON pieces both answer shapes share.</summary>
internal readonly record struct SimulatedAnswer(string Text, TokenUsage Usage)
{
    private static long _sequence;

    public static SimulatedAnswer For(UpstreamCall attempt)
    {
        var text = $"Hello from {attempt.Model.Name}, a simulated model. Dispatcher routed your request here.";
        var completion = text.Count(static c => c == ' ') + 1;
        return new SimulatedAnswer(text, new TokenUsage(attempt.Request.EstimatedPromptTokens, completion, 0, 0));
    }

    /// <summary>A new answer id; every chunk of one stream carries the same id, as OpenAI's do.</summary>
    public static string NewId() => "chatcmpl-sim-" + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static void WriteHeader(Utf8JsonWriter json, string id, string objectType, string model)
    {
        json.WriteString("id", id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", 1_767_225_600);
        json.WriteString("model", model);
    }

    public static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteEndObject();
    }
}
