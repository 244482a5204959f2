namespace Dispatcher.TestSupport.Otlp;

/// <summary>Decodes OTLP's ExportTraceServiceRequest and ExportMetricsServiceRequest (opentelemetry-proto v1) by field number.</summary>
public static class OtlpDecoder
{
    public static List<OtlpSpan> Spans(ReadOnlySpan<byte> request)
    {
        var spans = new List<OtlpSpan>();
        var reader = new ProtoReader(request);
        while (reader.Next(out var field))
        {
            if (field == 1)
            {
                ResourceSpans(reader.ReadBytes(), spans);
            }
            else
            {
                reader.Skip();
            }
        }

        return spans;
    }

    public static List<OtlpPoint> Points(ReadOnlySpan<byte> request)
    {
        var points = new List<OtlpPoint>();
        var reader = new ProtoReader(request);
        while (reader.Next(out var field))
        {
            if (field == 1)
            {
                // ResourceMetrics: 2 = ScopeMetrics (2 = Metric).
                var resource = new ProtoReader(reader.ReadBytes());
                while (resource.Next(out var resourceField))
                {
                    if (resourceField != 2)
                    {
                        resource.Skip();
                        continue;
                    }

                    var scope = new ProtoReader(resource.ReadBytes());
                    while (scope.Next(out var scopeField))
                    {
                        if (scopeField == 2)
                        {
                            Metric(scope.ReadBytes(), points);
                        }
                        else
                        {
                            scope.Skip();
                        }
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return points;
    }

    private static void ResourceSpans(ReadOnlySpan<byte> message, List<OtlpSpan> spans)
    {
        var service = string.Empty;
        var reader = new ProtoReader(message);
        var scopes = new List<byte[]>();
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1:
                    // Resource: 1 = attributes.
                    var resource = new ProtoReader(reader.ReadBytes());
                    while (resource.Next(out var resourceField))
                    {
                        if (resourceField == 1)
                        {
                            var (key, value) = KeyValue(resource.ReadBytes());
                            service = key == "service.name" ? value as string ?? service : service;
                        }
                        else
                        {
                            resource.Skip();
                        }
                    }

                    break;
                case 2:
                    scopes.Add(reader.ReadBytes().ToArray());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        foreach (var scope in scopes)
        {
            var scopeReader = new ProtoReader(scope);
            while (scopeReader.Next(out var field))
            {
                if (field == 2)
                {
                    spans.Add(Span(scopeReader.ReadBytes(), service));
                }
                else
                {
                    scopeReader.Skip();
                }
            }
        }
    }

    private static OtlpSpan Span(ReadOnlySpan<byte> message, string service)
    {
        string traceId = string.Empty, spanId = string.Empty, parent = string.Empty, name = string.Empty;
        var kind = 0;
        var status = 0;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var events = new List<OtlpEvent>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: traceId = reader.ReadHex(); break;
                case 2: spanId = reader.ReadHex(); break;
                case 4: parent = reader.ReadHex(); break;
                case 5: name = reader.ReadString(); break;
                case 6: kind = (int)reader.ReadVarint(); break;
                case 9:
                    var (key, value) = KeyValue(reader.ReadBytes());
                    attributes[key] = value;
                    break;
                case 11: events.Add(Event(reader.ReadBytes())); break;
                case 15:
                    var statusReader = new ProtoReader(reader.ReadBytes());
                    while (statusReader.Next(out var statusField))
                    {
                        if (statusField == 3)
                        {
                            status = (int)statusReader.ReadVarint();
                        }
                        else
                        {
                            statusReader.Skip();
                        }
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        return new OtlpSpan(service, traceId, spanId, parent, name, kind, attributes, events, status);
    }

    private static OtlpEvent Event(ReadOnlySpan<byte> message)
    {
        var name = string.Empty;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 2: name = reader.ReadString(); break;
                case 3:
                    var (key, value) = KeyValue(reader.ReadBytes());
                    attributes[key] = value;
                    break;
                default: reader.Skip(); break;
            }
        }

        return new OtlpEvent(name, attributes);
    }

    private static void Metric(ReadOnlySpan<byte> message, List<OtlpPoint> points)
    {
        var name = string.Empty;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: name = reader.ReadString(); break;
                case 5: DataPoints(reader.ReadBytes(), name, "gauge", points); break;
                case 7: DataPoints(reader.ReadBytes(), name, "sum", points); break;
                case 9: DataPoints(reader.ReadBytes(), name, "histogram", points); break;
                default: reader.Skip(); break;
            }
        }
    }

    private static void DataPoints(ReadOnlySpan<byte> message, string name, string type, List<OtlpPoint> points)
    {
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            if (field == 1)
            {
                points.Add(type == "histogram" ? HistogramPoint(reader.ReadBytes(), name) : NumberPoint(reader.ReadBytes(), name, type));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static OtlpPoint NumberPoint(ReadOnlySpan<byte> message, string name, string type)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        double value = 0;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 4: value = reader.ReadDouble(); break;
                case 6: value = (long)reader.ReadFixed64(); break;
                case 7:
                    var (key, attribute) = KeyValue(reader.ReadBytes());
                    attributes[key] = attribute;
                    break;
                default: reader.Skip(); break;
            }
        }

        return new OtlpPoint(name, type, attributes, value, 0);
    }

    private static OtlpPoint HistogramPoint(ReadOnlySpan<byte> message, string name)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        double sum = 0;
        long count = 0;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 4: count = (long)reader.ReadFixed64(); break;
                case 5: sum = reader.ReadDouble(); break;
                case 9:
                    var (key, attribute) = KeyValue(reader.ReadBytes());
                    attributes[key] = attribute;
                    break;
                default: reader.Skip(); break;
            }
        }

        return new OtlpPoint(name, "histogram", attributes, sum, count);
    }

    private static (string Key, object? Value) KeyValue(ReadOnlySpan<byte> message)
    {
        var key = string.Empty;
        object? value = null;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: key = reader.ReadString(); break;
                case 2: value = AnyValue(reader.ReadBytes()); break;
                default: reader.Skip(); break;
            }
        }

        return (key, value);
    }

    private static object? AnyValue(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1: return reader.ReadString();
                case 2: return reader.ReadVarint() != 0;
                case 3: return (long)reader.ReadVarint();
                case 4: return reader.ReadDouble();
                case 7: return reader.ReadHex();
                default:
                    // Arrays and key-value lists are not used by Dispatcher's attributes.
                    reader.Skip();
                    break;
            }
        }

        return null;
    }
}
