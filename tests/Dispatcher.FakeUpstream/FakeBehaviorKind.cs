namespace Dispatcher.FakeUpstream;

/// <summary>What a <see cref="FakeBehavior"/> makes the server do.</summary>
internal enum FakeBehaviorKind
{
    Ok,
    Error,
    Stall,
    Cut,
    MalformedJson,
    InBandError,
    WrongContentType,
    ContentFilterFinish,
    ToolCall,
    EndlessStream,
    EndlessKeepAlive,
    GiganticChunk,
    BrokenFraming,
    EndlessBody,
    HugeErrorBody,
}
