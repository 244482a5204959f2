using System.Buffers;
using System.Text;
using System.Text.Json;
using Dispatcher.Grains.Dispatch;
using Dispatcher.Providers;

namespace Dispatcher.Silo.Ledger;

/// <summary>
/// The <c>attempts</c> column: a JSON array of <c>{model, provider, key_id, kind, action, status, latency_ms,
/// cost_usd, detail}</c>, kinds and actions by their wire names. One instance per writer: it reuses its buffers.
/// </summary>
internal sealed class AttemptsJson : IDisposable
{
    private static readonly JsonEncodedText Model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText Provider = JsonEncodedText.Encode("provider");
    private static readonly JsonEncodedText KeyId = JsonEncodedText.Encode("key_id");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Action = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText LatencyMs = JsonEncodedText.Encode("latency_ms");
    private static readonly JsonEncodedText CostUsd = JsonEncodedText.Encode("cost_usd");
    private static readonly JsonEncodedText Detail = JsonEncodedText.Encode("detail");

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public AttemptsJson()
    {
        _writer = new Utf8JsonWriter(_buffer);
    }

    /// <summary>The JSON text of <paramref name="attempts"/>.</summary>
    public string Write(IReadOnlyList<AttemptRecord> attempts) => Encoding.UTF8.GetString(WriteUtf8(attempts));

    /// <summary>The JSON of <paramref name="attempts"/> as UTF-8, valid until the next call.</summary>
    public ReadOnlySpan<byte> WriteUtf8(IReadOnlyList<AttemptRecord> attempts)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartArray();
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            _writer.WriteStartObject();
            _writer.WriteString(Model, attempt.Model);
            _writer.WriteString(Provider, attempt.Provider);
            _writer.WriteString(KeyId, attempt.KeyId);
            _writer.WriteString(Kind, attempt.Kind.ToWireName());
            _writer.WriteString(Action, attempt.Action.ToWireName());
            _writer.WriteNumber(Status, attempt.StatusCode);
            _writer.WriteNumber(LatencyMs, attempt.LatencyMs);
            _writer.WriteNumber(CostUsd, attempt.CostUsd);
            _writer.WriteString(Detail, attempt.Detail);
            _writer.WriteEndObject();
        }

        _writer.WriteEndArray();
        _writer.Flush();
        return _buffer.WrittenSpan;
    }

    /// <summary>Parses a column written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such an array, or names an unknown kind or action.</exception>
    public static AttemptRecord[] Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var array = document.RootElement;
            var attempts = new AttemptRecord[array.GetArrayLength()];
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                attempts[i++] = new AttemptRecord(
                    item.GetProperty("model").GetString()!,
                    item.GetProperty("provider").GetString()!,
                    item.GetProperty("key_id").GetString(),
                    ParseKind(item.GetProperty("kind").GetString()),
                    ParseAction(item.GetProperty("action").GetString()),
                    item.GetProperty("status").GetInt32(),
                    item.GetProperty("latency_ms").GetDouble(),
                    item.GetProperty("cost_usd").GetDecimal(),
                    item.GetProperty("detail").GetString());
            }

            return attempts;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException("The ledger's attempts column is not a valid attempts array.", e);
        }
    }

    public void Dispose() => _writer.Dispose();

    private static FailureKind ParseKind(string? name) => FailureKindNames.TryParseWireName(name, out var kind)
        ? kind
        : throw new InvalidDataException($"Unknown failure kind '{name}' in the ledger.");

    private static DispatchAction ParseAction(string? name) => DispatchActionNames.TryParseWireName(name, out var action)
        ? action
        : throw new InvalidDataException($"Unknown dispatch action '{name}' in the ledger.");
}
