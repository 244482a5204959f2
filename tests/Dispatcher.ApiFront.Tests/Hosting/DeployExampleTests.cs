using Dispatcher.Grains.Configuration;
using Microsoft.Extensions.Configuration;

namespace Dispatcher.ApiFront.Tests.Hosting;

public sealed class DeployExampleTests
{
    [Fact]
    public void ExampleConfiguration_WithItsKeyVariablesSet_IsValid()
    {
        var path = Path.Combine(RepositoryRoot(), "deploy", "dispatcher.example.json");
        var options = new ConfigurationBuilder().AddJsonFile(path).Build()
            .GetSection(DispatcherOptions.SectionName).Get<DispatcherOptions>()!;

        var result = new DispatcherOptionsValidator(static _ => "sk-set").Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(["gpt-4o", "deepseek", "llama"], options.Routes["default"].Chain);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Dispatcher.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Dispatcher.sln not found above the test output.");
    }
}
