using System.Collections.Concurrent;
using Dispatcher.ApiFront.Tests.Reliability;
using Microsoft.Extensions.Logging;

namespace Dispatcher.ApiFront.Tests.TestHost;

/// <summary>
/// Receives every log line the node writes (Debug and up, all categories) and keeps only what matters for the security
/// check: how many lines it saw, and any line holding an upstream credential. Bounded memory however long the run.
/// </summary>
public sealed class ScanningLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _leaks = new();
    private long _lines;

    /// <summary>Log lines seen so far.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>Lines that held a credential (at most the first 20).</summary>
    public IReadOnlyCollection<string> Leaks => _leaks;

    public ILogger CreateLogger(string categoryName) => new Scanner(this, categoryName);

    public void Dispose()
    {
    }

    private void Scan(string category, string message, Exception? exception)
    {
        Interlocked.Increment(ref _lines);
        var secret = SecretScan.Find(message) ?? SecretScan.Find(exception?.ToString());
        if (secret is not null && _leaks.Count < 20)
        {
            _leaks.Enqueue($"{category}: {secret} in \"{message}\"");
        }
    }

    private sealed class Scanner(ScanningLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Scan(category, formatter(state, exception) + " " + state, exception);
            }
        }
    }
}
