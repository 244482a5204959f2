namespace Dispatcher.Benchmarks.Harness;

/// <summary>A process under test did not start; the message carries the tail of its log.</summary>
internal sealed class StartFailedException : Exception
{
    public StartFailedException(ChildProcess process, string reason)
        : base($"{process.Name} {reason}. Log {process.LogPath}:\n{process.LogTail()}")
    {
    }

    public StartFailedException()
    {
    }

    public StartFailedException(string message)
        : base(message)
    {
    }

    public StartFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
