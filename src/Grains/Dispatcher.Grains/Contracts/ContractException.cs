namespace Dispatcher.Grains.Contracts;

/// <summary>A request whose schema cannot be checked: a 400 naming the parameter.</summary>
public sealed class ContractException : Exception
{
    public ContractException()
    {
    }

    public ContractException(string message)
        : base(message)
    {
    }

    public ContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ContractException(string param, string message)
        : base(message) => Param = param;

    /// <summary>The request parameter at fault (<c>response_format.json_schema.schema</c>, <c>tools[0].function.parameters</c>).</summary>
    public string? Param { get; }
}
