namespace Dispatcher.Providers.Chat;

/// <summary>A byte range [Start, End) inside a JSON body; <see cref="None"/> when absent.</summary>
internal readonly record struct JsonRange(int Start, int End)
{
    public static JsonRange None { get; } = new(-1, -1);

    public bool Exists => Start >= 0;
}
