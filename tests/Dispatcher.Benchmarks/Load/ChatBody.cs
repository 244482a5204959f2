using System.Text;
using System.Text.Json;

namespace Dispatcher.Benchmarks.Load;

/// <summary>The request every target gets: a small, realistic chat completion (system + user message, ~400 bytes).</summary>
internal static class ChatBody
{
    public static string For(string model, bool stream)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteStartArray("messages");
            Message(json, "system", "You are a concise assistant for a travel booking site.");
            Message(json, "user", "Which documents do I need to fly from Paris to Montreal with a French passport? Answer in three bullet points.");
            json.WriteEndArray();
            json.WriteNumber("temperature", 0.2);
            json.WriteNumber("max_tokens", 256);
            json.WriteBoolean("stream", stream);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Message(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }
}
