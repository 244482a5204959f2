namespace Dispatcher.Grains.Contracts;

/// <summary>A schema that cannot be compiled: the message names the keyword's location (<c>#/properties/x/type</c>).</summary>
public sealed class SchemaException : Exception
{
    public SchemaException()
    {
    }

    public SchemaException(string message)
        : base(message)
    {
    }

    public SchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
