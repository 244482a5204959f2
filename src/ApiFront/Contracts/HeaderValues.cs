using System.Globalization;

namespace Dispatcher.ApiFront.Contracts;

/// <summary>Formats header values invariantly; small counts come from a table so they allocate nothing.</summary>
internal static class HeaderValues
{
    private static readonly string[] SmallCounts = Enumerable.Range(0, 33).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public static string Count(int value) =>
        (uint)value < (uint)SmallCounts.Length ? SmallCounts[value] : value.ToString(CultureInfo.InvariantCulture);

    public static string Usd(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    public static string Milliseconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
