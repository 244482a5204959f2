using Dispatcher.Grains.Contracts;
using Route = Dispatcher.Grains.Routing.Route;
using Dispatcher.Providers.Chat;

namespace Dispatcher.ApiFront.Endpoints;

// The request's output contract is compiled before dispatch, so that a schema Dispatcher cannot check is the
// client's 400, not a failure of every candidate.
public static partial class ChatCompletionsApi
{
    private static bool TryReadContract(ChatRequest request, Route route, out OutputContract? contract, out ContractException? error)
    {
        error = null;
        try
        {
            contract = OutputContract.For(request, route.Options);
            return true;
        }
        catch (ContractException refused)
        {
            (contract, error) = (null, refused);
            return false;
        }
    }
}
