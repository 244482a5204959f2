namespace Dispatcher.Grains.Configuration;

/// <summary>Resolves a credential written literally or as <c>env:VAR</c>.</summary>
public static class SecretReference
{
    private const string EnvironmentPrefix = "env:";

    /// <summary>The secret, or null when it names an environment variable that is unset or empty.</summary>
    public static string? Resolve(string reference, Func<string, string?> environment)
    {
        if (!reference.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return reference;
        }

        var value = environment(reference[EnvironmentPrefix.Length..]);
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
