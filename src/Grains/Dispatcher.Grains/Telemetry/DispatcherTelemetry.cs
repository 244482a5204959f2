using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dispatcher.Grains.Telemetry;

/// <summary>
/// The node's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named <c>Dispatcher</c>. Nothing is
/// recorded unless a listener (the OpenTelemetry SDK wired in the silo, or any other) subscribes: every helper checks
/// <see cref="ActivitySource.HasListeners"/> or <see cref="Instrument.Enabled"/> first.
/// </summary>
public static class DispatcherTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Dispatcher";

    /// <summary>The source of the request (server) and attempt (client) spans.</summary>
    public static ActivitySource Source { get; } = new(Name, typeof(DispatcherTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter of every counter and histogram the dispatch path records.</summary>
    public static Meter Meter { get; } = new(Name, typeof(DispatcherTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Adds an event to the innermost Dispatcher span of the current flow (an attempt's, else the request's): for
    /// decisions such as a repin or a mid-stream continuation. Does nothing when nobody listens.
    /// </summary>
    /// <param name="name">The event name, e.g. <c>dispatcher.repin</c>.</param>
    /// <param name="tags">The event's attributes: never prompt or completion text, never a credential.</param>
    public static void AddEvent(string name, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!Source.HasListeners() || Innermost() is not { } activity)
        {
            return;
        }

        activity.AddEvent(new ActivityEvent(name, tags: tags.Length == 0 ? null : new ActivityTagsCollection(tags.ToArray())));
    }

    /// <summary>Adds an event to the request's server span, wherever the current flow is inside it.</summary>
    public static void AddRequestEvent(string name, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!Source.HasListeners() || RequestSpan(Activity.Current) is not { } activity)
        {
            return;
        }

        activity.AddEvent(new ActivityEvent(name, tags: tags.Length == 0 ? null : new ActivityTagsCollection(tags.ToArray())));
    }

    /// <summary>The innermost activity of the current flow that this source started, or null.</summary>
    internal static Activity? Innermost()
    {
        for (var activity = Activity.Current; activity is not null; activity = activity.Parent)
        {
            if (ReferenceEquals(activity.Source, Source))
            {
                return activity;
            }
        }

        return null;
    }

    /// <summary>The Dispatcher server span at or above <paramref name="activity"/>, or null.</summary>
    internal static Activity? RequestSpan(Activity? activity)
    {
        for (; activity is not null; activity = activity.Parent)
        {
            if (ReferenceEquals(activity.Source, Source) && activity.Kind == ActivityKind.Server)
            {
                return activity;
            }
        }

        return null;
    }
}
