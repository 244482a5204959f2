using Dispatcher.Grains.Providers;
using Dispatcher.Silo.Authority;

using Xunit;

namespace Dispatcher.Silo.Tests.Authority;

public sealed class EmbeddedProviderAuthorityTests : ProviderAuthorityContract
{
    protected override Task<IProviderAuthority> CreateAsync() => Task.FromResult<IProviderAuthority>(new EmbeddedProviderAuthority(TimeProvider.System));

    protected override Task DisposeAuthorityAsync() => Task.CompletedTask;

    protected override Task SettleAsync() => Task.CompletedTask;
}
