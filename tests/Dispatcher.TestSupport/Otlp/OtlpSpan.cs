namespace Dispatcher.TestSupport.Otlp;

/// <summary>One span as it arrived over OTLP (ids in lower-case hex; attributes by key).</summary>
public sealed record OtlpSpan(
    string ServiceName,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<OtlpEvent> Events,
    int StatusCode)
{
    /// <summary>OTLP's SPAN_KIND_SERVER.</summary>
    public const int ServerKind = 2;

    /// <summary>OTLP's SPAN_KIND_CLIENT.</summary>
    public const int ClientKind = 3;

    /// <summary>OTLP's STATUS_CODE_ERROR.</summary>
    public const int ErrorStatus = 2;

    public object? this[string key] => Attributes.TryGetValue(key, out var value) ? value : null;
}

/// <summary>A span event.</summary>
public sealed record OtlpEvent(string Name, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>One data point of one metric as it arrived over OTLP: a sum or gauge value, or a histogram's count and sum.</summary>
public sealed record OtlpPoint(string Metric, string Type, IReadOnlyDictionary<string, object?> Attributes, double Value, long Count);
