using Dispatcher.Grains.Conversations;

using Xunit;

namespace Dispatcher.Grains.Tests.Conversations;

public sealed class InProcessConversationPinStoreTests : ConversationPinStoreContract
{
    protected override IConversationPinStore CreateStore(TimeProvider time) => new InProcessConversationPinStore(time);
}
