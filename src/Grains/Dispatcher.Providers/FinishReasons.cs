using System.Text.Json;

namespace Dispatcher.Providers;

/// <summary>OpenAI's finish reasons, interned so that reading one from a chunk allocates nothing.</summary>
public static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string ToolCalls = "tool_calls";
    public const string ContentFilter = "content_filter";
    public const string FunctionCall = "function_call";

    internal static string? From(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("stop"u8))
        {
            return Stop;
        }

        if (reader.ValueTextEquals("length"u8))
        {
            return Length;
        }

        if (reader.ValueTextEquals("tool_calls"u8))
        {
            return ToolCalls;
        }

        if (reader.ValueTextEquals("content_filter"u8))
        {
            return ContentFilter;
        }

        return reader.ValueTextEquals("function_call"u8) ? FunctionCall : reader.GetString();
    }
}
