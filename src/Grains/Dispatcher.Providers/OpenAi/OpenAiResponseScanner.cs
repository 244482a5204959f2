using System.Text.Json;

namespace Dispatcher.Providers.OpenAi;

/// <summary>
/// Reads, in one pass and without deserializing, what Dispatcher needs from an OpenAI chat.completion body or
/// chat.completion.chunk: whether it carries output, usage, finish reason, model, and an in-band error.
/// </summary>
internal static class OpenAiResponseScanner
{
    /// <summary>Scans <paramref name="json"/>; returns false when it is not a JSON object.</summary>
    public static bool TryScan(ReadOnlySpan<byte> json, bool captureModel, out ResponseFacts facts, out bool hasChoices)
    {
        facts = default;
        hasChoices = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var state = new ScanState();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    ReadChoices(ref reader, ref state);
                    hasChoices = state.ChoiceCount > 0 || reader.TokenType == JsonTokenType.EndArray;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    state.Usage = ReadUsage(ref reader);
                }
                else if (captureModel && reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    state.Model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (captureModel && reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    state.Id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    state.Error = OpenAiErrors.FromErrorValue(ref reader, statusCode: 0);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }

            facts = new ResponseFacts
            {
                HasOutput = state.HasOutput,
                HasToolCalls = state.HasToolCalls,
                IsUsageOnly = state.ChoiceCount == 0 && state.Usage is not null,
                Usage = state.Usage,
                FinishReason = state.FinishReason,
                Model = state.Model,
                Id = state.Id,
                Error = state.Error,
            };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void ReadChoices(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            state.ChoiceCount++;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    ReadMessage(ref reader, ref state);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && state.FinishReason is null)
                    {
                        state.FinishReason = FinishReasons.From(ref reader);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadMessage(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueSpan.IsEmpty)
                {
                    state.HasOutput = true;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
            {
                reader.Read();
                if (IsNonEmptyContainer(ref reader))
                {
                    state.HasOutput = true;
                    state.HasToolCalls = true;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Reads past the value at the reader; true when it is an array or object with at least one member.</summary>
    private static bool IsNonEmptyContainer(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
        {
            reader.Skip();
            return false;
        }

        var depth = reader.CurrentDepth;
        reader.Read();
        var nonEmpty = reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject);
        while (reader.CurrentDepth > depth)
        {
            reader.Skip();
            reader.Read();
        }

        return nonEmpty;
    }

    private static TokenUsage? ReadUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int prompt = 0, completion = 0, cached = 0, reasoning = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                prompt = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                completion = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                cached = ReadNestedInt(ref reader, "cached_tokens"u8);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reasoning = ReadNestedInt(ref reader, "reasoning_tokens"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(prompt, completion, cached, reasoning);
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value >= 0 ? value : 0;
    }

    private static int ReadNestedInt(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        var result = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                result = ReadInt(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return result;
    }

    private struct ScanState
    {
        public int ChoiceCount;
        public bool HasOutput;
        public bool HasToolCalls;
        public TokenUsage? Usage;
        public string? FinishReason;
        public string? Model;
        public string? Id;
        public UpstreamFailure? Error;
    }
}
