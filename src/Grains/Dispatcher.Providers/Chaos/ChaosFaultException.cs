namespace Dispatcher.Providers.Chaos;

/// <summary>The fault Polly's chaos strategy throws in place of an upstream call; the <see cref="ChaosAdapter"/> turns it into <c>connection_failed</c>.</summary>
public sealed class ChaosFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChaosFaultException()
        : base("Fault injected by Dispatcher's chaos settings.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ChaosFaultException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ChaosFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
