namespace Dispatcher.Grains.Contracts;

/// <summary>Why an instance does not match its schema: where (<c>$.items[2].name</c>) and what.</summary>
/// <param name="Path">The location below the root, e.g. <c>.items[2].name</c>; empty for the root.</param>
/// <param name="Message">What is wrong, in words a model can act on.</param>
public sealed record SchemaViolation(string Path, string Message)
{
    /// <summary>The same violation one level down (<paramref name="segment"/> is <c>.name</c> or <c>[3]</c>).</summary>
    internal SchemaViolation Under(string segment) => this with { Path = segment + Path };

    /// <inheritdoc />
    public override string ToString() => "$" + Path + ": " + Message;
}
