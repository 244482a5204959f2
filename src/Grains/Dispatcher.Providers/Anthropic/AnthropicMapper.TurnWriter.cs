using System.Text.Json;

namespace Dispatcher.Providers.Anthropic;

internal static partial class AnthropicMapper
{
    /// <summary>Writes turns, opening one lazily and merging consecutive messages of the same role.</summary>
    private sealed class TurnWriter(Utf8JsonWriter json)
    {
        public const string User = "user";
        public const string Assistant = "assistant";

        private string? _role;

        public Utf8JsonWriter Json => json;

        /// <summary>Turns written so far.</summary>
        public int Count { get; private set; }

        /// <summary>The names of the tools the conversation's tool calls used.</summary>
        public HashSet<string> ToolNames { get; } = new(StringComparer.Ordinal);

        /// <summary>Makes sure a turn of <paramref name="role"/> is open, ready for its next content block.</summary>
        public Utf8JsonWriter Begin(string role)
        {
            if (!string.Equals(_role, role, StringComparison.Ordinal))
            {
                End();
                json.WriteStartObject();
                json.WriteString("role"u8, role);
                json.WriteStartArray("content"u8);
                _role = role;
                Count++;
            }

            return json;
        }

        public void End()
        {
            if (_role is not null)
            {
                json.WriteEndArray();
                json.WriteEndObject();
                _role = null;
            }
        }
    }
}
