using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Ledger;
using Dispatcher.Grains.Routing;
using Dispatcher.Providers;

namespace Dispatcher.ApiFront.Endpoints;

/// <summary>Turns a dispatch result into its ledger row and waits for the ledger as its durability asks.</summary>
internal sealed class ResponseRecorder
{
    private readonly IRequestLedger _ledger;
    private readonly string _requestId;
    private readonly DateTimeOffset _arrivedAt;
    private readonly string _route;
    private readonly bool _stream;

    public ResponseRecorder(IRequestLedger ledger, string requestId, DateTimeOffset arrivedAt, string route, bool stream)
    {
        _ledger = ledger;
        _requestId = requestId;
        _arrivedAt = arrivedAt;
        _route = route;
        _stream = stream;
    }

    public ValueTask RecordFailureAsync(DispatchResult result, int status, string code, CancellationToken clientGone) =>
        _ledger.RecordAsync(Row(result, clientGone.IsCancellationRequested ? 499 : status, code, default), CancellationToken.None);

    public ValueTask RecordServedAsync(DispatchResult result, CancellationToken clientGone) =>
        _ledger.RecordAsync(Row(result, clientGone.IsCancellationRequested ? 499 : 200, "completed", result.Usage ?? default), CancellationToken.None);

    public ValueTask RecordStreamAsync(DispatchResult result, StreamingAnswer stream, TokenUsage usage) =>
        _ledger.RecordAsync(Row(result, 200, stream.EndKind == FailureKind.None ? "completed" : stream.EndKind.ToWireName(), usage, stream.Deployment), CancellationToken.None);

    // A continued stream's row names the model that finished it (its trail names every model that served).
    private RequestRecord Row(DispatchResult result, int status, string outcome, TokenUsage usage, ModelDeployment? served = null) =>
        new(_requestId, _arrivedAt, _route, _stream, status, outcome, (served ?? result.Served)?.Alias, (served ?? result.Served)?.Provider.Name,
            usage.PromptTokens, usage.CompletionTokens, result.CostUsd, result.Trail.Attempts);
}
