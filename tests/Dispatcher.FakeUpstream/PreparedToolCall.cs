namespace Dispatcher.FakeUpstream;

/// <summary>A function call to answer with: the JSON-escaped name and the prepared arguments text.</summary>
internal sealed record PreparedToolCall(byte[] Name, PreparedText Arguments);
