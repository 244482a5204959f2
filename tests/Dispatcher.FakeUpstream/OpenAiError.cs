using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dispatcher.FakeUpstream;

/// <summary>An OpenAI error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
/// <remarks>A message may name the requested model with <see cref="ModelToken"/>; other bodies are encoded once.</remarks>
internal sealed class OpenAiError
{
    public const string ModelToken = "{model}";

    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _message;
    private readonly string? _type;
    private readonly string? _param;
    private readonly object? _code;
    private readonly byte[]? _encoded;

    /// <remarks>The code is a string, an int (Cloudflare-fronted 502/504 bodies carry a number) or null.</remarks>
    public OpenAiError(string message, string? type, string? param, object? code)
    {
        _message = message;
        _type = type;
        _param = param;
        _code = code;
        if (!message.Contains(ModelToken, StringComparison.Ordinal))
        {
            _encoded = Encode(message);
        }
    }

    public string Message => _message;

    public byte[] Render(string? model) =>
        _encoded ?? Encode(_message.Replace(ModelToken, model ?? "unknown", StringComparison.Ordinal));

    private byte[] Encode(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            WriteNullable(json, "type", _type);
            WriteNullable(json, "param", _param);
            switch (_code)
            {
                case int number: json.WriteNumber("code", number); break;
                case string text: json.WriteString("code", text); break;
                default: json.WriteNull("code"); break;
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
