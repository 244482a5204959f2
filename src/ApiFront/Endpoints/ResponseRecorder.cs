using Dispatcher.Grains.Dispatch;
using Dispatcher.Grains.Keys;
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

    /// <summary>The virtual key that made the request: its id goes in the row, its spend is charged to it.</summary>
    public VirtualKeyState? Key { get; init; }

    public ValueTask RecordFailureAsync(DispatchResult result, int status, string code, CancellationToken clientGone) =>
        Record(Row(result, clientGone.IsCancellationRequested ? 499 : status, code, default));

    public ValueTask RecordServedAsync(DispatchResult result, CancellationToken clientGone) =>
        Record(Row(result, clientGone.IsCancellationRequested ? 499 : 200, "completed", result.Usage ?? default));

    public ValueTask RecordStreamAsync(DispatchResult result, StreamingAnswer stream, TokenUsage usage) =>
        Record(Row(result, 200, stream.EndKind == FailureKind.None ? "completed" : stream.EndKind.ToWireName(), usage, stream.Deployment));

    private ValueTask Record(RequestRecord row)
    {
        // Charged here, in memory, as the row is written: the next request of the key sees it with no database read.
        Key?.Spend(row.CostUsd, _arrivedAt);
        return _ledger.RecordAsync(row, CancellationToken.None);
    }

    // A continued stream's row names the model that finished it (its trail names every model that served).
    private RequestRecord Row(DispatchResult result, int status, string outcome, TokenUsage usage, ModelDeployment? served = null) =>
        new(_requestId, _arrivedAt, _route, _stream, status, outcome, (served ?? result.Served)?.Alias, (served ?? result.Served)?.Provider.Name,
            usage.PromptTokens, usage.CompletionTokens, result.CostUsd, result.Trail.Attempts) { VirtualKeyId = Key?.Key.Id };
}
