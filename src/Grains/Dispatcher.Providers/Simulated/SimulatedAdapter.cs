using System.Text.Json;

namespace Dispatcher.Providers.Simulated;

/// <summary>
/// An upstream that lives in the process: it answers in OpenAI's wire format, fails with a simulated 503 at the
/// configured rate, and waits the configured latency. The demo uses it so fallback can be seen without any key.
/// </summary>
public sealed class SimulatedAdapter : IChatAdapter
{
    private readonly SimulatedAdapterOptions _options;

    /// <summary>Creates the adapter.</summary>
    public SimulatedAdapter(SimulatedAdapterOptions options) => _options = options;

    /// <inheritdoc />
    public async Task<CompletionResult> CompleteAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        if (await FailsAsync(cancellationToken).ConfigureAwait(false))
        {
            return CompletionResult.Failed(SimulatedOutage);
        }

        var answer = SimulatedAnswer.For(attempt);
        var body = new PooledBuffer(1024);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            SimulatedAnswer.WriteHeader(json, SimulatedAnswer.NewId(), "chat.completion", attempt.Model.Name);
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", answer.Text);
            json.WriteEndObject();
            json.WriteString("finish_reason", FinishReasons.Stop);
            json.WriteEndObject();
            json.WriteEndArray();
            SimulatedAnswer.WriteUsage(json, answer.Usage);
            json.WriteEndObject();
        }

        var facts = new ResponseFacts { HasOutput = true, Usage = answer.Usage, FinishReason = FinishReasons.Stop, Model = attempt.Model.Name };
        return CompletionResult.Served(body, facts, default);
    }

    /// <inheritdoc />
    public async Task<StreamOpenResult> OpenStreamAsync(UpstreamCall attempt, CancellationToken cancellationToken)
    {
        if (await FailsAsync(cancellationToken).ConfigureAwait(false))
        {
            return StreamOpenResult.Failed(SimulatedOutage);
        }

        return StreamOpenResult.Opened(new SimulatedChunkSource(attempt.Model.Name, SimulatedAnswer.For(attempt)), default);
    }

    private static UpstreamFailure SimulatedOutage { get; } =
        new(FailureKind.ServerError, 503, null, "the simulated upstream is unavailable (HTTP 503)");

    private async ValueTask<bool> FailsAsync(CancellationToken cancellationToken)
    {
        if (_options.Latency > TimeSpan.Zero)
        {
            await Task.Delay(_options.Latency, _options.Time, cancellationToken).ConfigureAwait(false);
        }

        return _options.FailureRate > 0 && _options.Draw() < _options.FailureRate;
    }
}
