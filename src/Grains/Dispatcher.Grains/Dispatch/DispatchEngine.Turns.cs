using Dispatcher.Grains.Conversations;
using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

// Conversations: a turn starts by reading the pin (the candidate order) and ends, once a candidate served, by
// recording the turn (pinning a new conversation, or moving the pin: x-dispatcher-repinned and a trail event).
public sealed partial class DispatchEngine
{
    private async ValueTask<TurnPlan> OpenTurnAsync(DispatchRequest request, CancellationToken clientGone)
    {
        if (request.SessionId is not { Length: > 0 } session)
        {
            return new TurnPlan(request.Route.Chain, null, null);
        }

        var key = ConversationKey.For(request.VirtualKeyId, session);
        var pin = await _conversations.FindAsync(key, clientGone).ConfigureAwait(false);
        return new TurnPlan(CandidateOrder.For(request.Route, pin), key, pin);
    }

    private async ValueTask<DispatchResult> CloseTurnAsync(DispatchRequest request, TurnPlan plan, DispatchResult result, long attemptStarted,
        CancellationToken clientGone)
    {
        if (plan.WinnerCancellation is { } cancellation)
        {
            result.Own(cancellation);
        }

        var served = result.Served!;
        if (result.Stream is { } stream)
        {
            served.Health.RecordFirstToken(_time.GetElapsedTime(attemptStarted));
            // Several choices cannot be spliced as one text: such streams end typed, as without continuation.
            if (request.Route.Options.MidStreamContinuation && request.Request.Choices == 1)
            {
                stream.EnableContinuation(new StreamContinuation(_runner, request, plan.Chain, _retry.MaxAttemptsPerRequest, _time, clientGone));
            }
        }

        if (plan.Key is not { } key)
        {
            return result;
        }

        // The pin is written whatever the client does next: the turn was served.
        var moved = await _conversations.RecordServedAsync(key, plan.Pin, served, request.Route.Options.SessionIdleTtl, CancellationToken.None)
            .ConfigureAwait(false);
        if (moved is not null)
        {
            result.Repinned = moved;
            LogRepinned(request.RequestId, moved);
            result.Trail.Note("repin", moved);
            var note = "repinned " + moved;
            if (result.Stream is { } repinnedStream)
            {
                repinnedStream.ServedDetail = note;
            }
            else if (result.Trail.Count > 0 && result.Trail.Attempts[^1] is { Kind: FailureKind.None } servedAttempt)
            {
                result.Trail.Amend(result.Trail.Count - 1, servedAttempt with { Detail = note });
            }
        }

        return result;
    }

    /// <summary>Kinds that say the deployment itself was unwell (not the request, not the client).</summary>
    internal static bool BlamesDeployment(FailureKind kind) => kind is FailureKind.RateLimited or FailureKind.QuotaExhausted
        or FailureKind.Timeout or FailureKind.FirstTokenTimeout or FailureKind.StreamStalled or FailureKind.StreamCut
        or FailureKind.ServerError or FailureKind.ConnectionFailed or FailureKind.InvalidResponse or FailureKind.ModelNotFound;
}
