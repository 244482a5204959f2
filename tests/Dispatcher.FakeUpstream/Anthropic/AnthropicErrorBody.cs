using System.Buffers;
using System.Text.Json;

namespace Dispatcher.FakeUpstream.Anthropic;

/// <summary>An Anthropic error body: <c>{"type":"error","error":{"type","message"},"request_id"}</c>.</summary>
/// <remarks>A message may name the requested model with <see cref="ModelToken"/>.</remarks>
internal sealed class AnthropicErrorBody(string type, string message)
{
    public const string ModelToken = "{model}";

    public string Type => type;

    public string Message => message;

    public byte[] Render(string? model, long number)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, OpenAiError.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteStartObject("error");
            json.WriteString("type", type);
            json.WriteString("message", message.Replace(ModelToken, model ?? "unknown", StringComparison.Ordinal));
            json.WriteEndObject();
            json.WriteString("request_id", AnthropicHeaders.RequestId(number));
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
