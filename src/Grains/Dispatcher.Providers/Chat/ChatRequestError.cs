namespace Dispatcher.Providers.Chat;

/// <summary>Why a request body was refused before any routing: an OpenAI-shaped 400 (or 413).</summary>
/// <param name="Message">What is wrong, for the client.</param>
/// <param name="Param">The offending field, when there is one.</param>
/// <param name="StatusCode">400, or 413 for a body over the limit.</param>
public sealed record ChatRequestError(string Message, string? Param, int StatusCode = 400);
