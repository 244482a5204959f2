using System.Text.Json;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Contracts;

/// <summary>
/// An answer that broke its contract: the trail's words for it, and the turn that asks the same model to repair it
/// (the answer as the assistant's message, then a user message saying what was wrong), ready to append to
/// <c>messages</c>.
/// </summary>
internal sealed record ContractBreach(string Detail, byte[] RepairTurn)
{
    public static ContractBreach ForContent(SchemaViolation violation, ReadOnlySpan<byte> answer)
    {
        var detail = "the answer does not match the response schema: " + violation;
        var turn = new PooledBuffer(answer.Length + 512);
        using (var json = new Utf8JsonWriter(turn))
        {
            json.WriteStartObject();
            json.WriteString("role", "assistant");
            json.WriteString("content", answer);
            json.WriteEndObject();
        }

        turn.Write(","u8);
        WriteUser(turn, "Your previous answer did not match the required JSON schema: " + violation
            + ". Reply again with only a JSON value that matches the schema, and nothing else.");
        return Seal(detail, turn);
    }

    public static ContractBreach ForTool(string name, SchemaViolation violation)
    {
        var detail = $"the arguments of the call to '{name}' do not match its parameters schema: {violation}";
        var turn = new PooledBuffer(512);
        WriteUser(turn, $"Your call to the function '{name}' had arguments that do not match its parameters schema: {violation}. "
            + "Call it again with arguments that match the schema exactly.");
        return Seal(detail, turn);
    }

    private static void WriteUser(PooledBuffer turn, string content)
    {
        using var json = new Utf8JsonWriter(turn);
        json.WriteStartObject();
        json.WriteString("role", "user");
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    private static ContractBreach Seal(string detail, PooledBuffer turn)
    {
        using (turn)
        {
            return new ContractBreach(detail, turn.WrittenSpan.ToArray());
        }
    }
}
