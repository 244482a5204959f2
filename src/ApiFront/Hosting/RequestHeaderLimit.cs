using Dispatcher.ApiFront.Contracts;
using Dispatcher.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>
/// Refuses requests whose headers exceed <see cref="DispatcherOptions.MaxRequestHeaderBytes"/> with an OpenAI-shaped
/// 431. Kestrel's limit (64 KiB) refuses larger ones before any application code runs, so only a bare 431 is
/// possible there; this softer limit under it is what clients normally meet.
/// </summary>
public static class RequestHeaderLimit
{
    /// <summary>Adds the check in front of every endpoint.</summary>
    public static WebApplication UseRequestHeaderLimit(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // .Value is read per request, not here: reading it validates the options, which must fail at start, not at build.
        var options = app.Services.GetRequiredService<IOptions<DispatcherOptions>>();
        app.Use((context, next) =>
        {
            var limit = options.Value.MaxRequestHeaderBytes;
            long total = 0;
            foreach (var (name, values) in context.Request.Headers)
            {
                total += name.Length + 4;
                foreach (var value in values)
                {
                    total += value?.Length ?? 0;
                }
            }

            if (total <= limit)
            {
                return next(context);
            }

            context.Response.Headers.Connection = "close";
            return OpenAiError.WriteAsync(context.Response, 431,
                $"The request headers exceed {limit} bytes (Dispatcher:MaxRequestHeaderBytes).", "request_headers_too_large");
        });
        return app;
    }
}
