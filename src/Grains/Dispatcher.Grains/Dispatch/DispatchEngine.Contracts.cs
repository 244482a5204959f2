using Dispatcher.Providers;
using Dispatcher.Providers.Chat;

namespace Dispatcher.Grains.Dispatch;

// Schema repair (route setting SchemaRepair): an answer that broke its contract gets one more attempt on the same
// model, with the broken answer and what was wrong appended to the conversation; after that, the next candidate.
public sealed partial class DispatchEngine
{
    /// <summary>The turn to append for a repair attempt, or null when this failure is not repaired.</summary>
    private static byte[]? RepairTurn(AttemptOutcome outcome, ref int repairsLeft)
    {
        if (outcome.Failure?.Kind != FailureKind.SchemaViolation || outcome.Breach is not { } breach || repairsLeft <= 0)
        {
            return null;
        }

        repairsLeft--;
        return breach.RepairTurn;
    }

    /// <summary>The body with the pending repair turn appended (the caller disposes it), or null when none is pending.</summary>
    private static ChatRequest? Repaired(ChatRequest original, ref byte[]? repairTurn)
    {
        if (repairTurn is null)
        {
            return null;
        }

        var repaired = ChatRequestParser.AppendMessages(original, repairTurn);
        repairTurn = null;
        return repaired;
    }
}
