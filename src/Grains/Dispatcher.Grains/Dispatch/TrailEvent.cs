namespace Dispatcher.Grains.Dispatch;

/// <summary>Something a request's trail records besides its attempts: a pin that moved, a stream continued, a hedge.</summary>
/// <param name="Name"><c>repin</c>, <c>continuation</c> or <c>hedge</c>.</param>
/// <param name="Detail">What happened, in Dispatcher's words (<c>primary-&gt;backup</c>).</param>
/// <param name="AfterAttempts">How many attempts the trail held when it happened.</param>
public sealed record TrailEvent(string Name, string Detail, int AfterAttempts);
