using System.Collections.Concurrent;
using System.Diagnostics;
using Dispatcher.Grains.Telemetry;

namespace Dispatcher.Grains.Tests.Telemetry;

/// <summary>Listens to the Dispatcher source (all data, as an always-on sampler would) and keeps the spans that stop.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DispatcherTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Spans of <paramref name="traceId"/> that stopped, in order (other tests may trace concurrently).</summary>
    public IEnumerable<Activity> Stopped(ActivityTraceId traceId) => _stopped.Where(span => span.TraceId == traceId);

    public void Dispose() => _listener.Dispose();
}
