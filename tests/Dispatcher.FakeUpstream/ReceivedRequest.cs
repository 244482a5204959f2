namespace Dispatcher.FakeUpstream;

/// <summary>One chat completion request as the fake upstream received it.</summary>
/// <param name="Model">The <c>model</c> field of the body; null when absent or when the body is not JSON.</param>
/// <param name="Path">The request path, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Body">The raw request body.</param>
/// <param name="Authorization">The <c>Authorization</c> header value, null when absent.</param>
/// <param name="Headers">Every request header (case-insensitive names, repeated values joined by a comma).</param>
/// <param name="Stream">The <c>stream</c> field of the body.</param>
public sealed record ReceivedRequest(
    string? Model,
    string Path,
    string Body,
    string? Authorization,
    IReadOnlyDictionary<string, string> Headers,
    bool Stream);
