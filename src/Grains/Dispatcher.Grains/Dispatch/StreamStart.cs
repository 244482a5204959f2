using Dispatcher.Providers;

namespace Dispatcher.Grains.Dispatch;

/// <summary>A streaming attempt that reached its commit point (or its end): what was held and how to go on.</summary>
internal sealed record StreamStart(IChunkSource Source, AttemptWatchdog Watchdog, PooledBuffer Held, TokenUsage? Usage, bool Finished);
