namespace Dispatcher.Grains.Contracts;

/// <summary>The JSON types a schema's <c>type</c> keyword can name; a set, so that <c>["string", "null"]</c> is one value.</summary>
[Flags]
internal enum JsonTypes
{
    /// <summary>No <c>type</c> keyword: any type.</summary>
    Any = 0,
    Null = 1,
    Boolean = 2,
    Integer = 4,
    Number = 8,
    String = 16,
    Array = 32,
    Object = 64,
}
