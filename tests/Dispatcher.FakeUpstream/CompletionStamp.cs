namespace Dispatcher.FakeUpstream;

/// <summary>What every object of one answer repeats: its number (chatcmpl-N, call_N), creation time and model.</summary>
/// <remarks>Model is the requested model, already JSON-escaped.</remarks>
internal readonly record struct CompletionStamp(long Number, long Created, byte[] Model, int PromptTokens, bool IncludeUsage);
