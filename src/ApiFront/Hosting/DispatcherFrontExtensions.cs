using Dispatcher.ApiFront.Auth;
using Dispatcher.ApiFront.Contracts;
using Dispatcher.ApiFront.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dispatcher.ApiFront.Hosting;

/// <summary>The HTTP front: Kestrel settings, the OpenAI-compatible API, the operator API and error shapes.</summary>
public static partial class DispatcherFrontExtensions
{
    private const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Configures Kestrel and JSON for the front, and listens on 127.0.0.1:8080 unless told otherwise.</summary>
    public static WebApplicationBuilder AddDispatcherFront(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var urls = builder.Configuration["urls"];
        var endpoints = builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(static endpoint => endpoint["Url"] ?? string.Empty).ToArray();
        if (string.IsNullOrEmpty(urls) && endpoints.Length == 0)
        {
            urls = DefaultUrl;
            builder.WebHost.UseUrls(DefaultUrl);
        }

        ExposureGuard.Check(builder.Configuration, (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Concat(endpoints));

        // ASP.NET Core's per-request Information logs ("Request starting…") cost more CPU than the whole dispatch.
        // Configuration (Logging:LogLevel:Microsoft.AspNetCore) still overrides this default.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.WebHost.ConfigureKestrel(static kestrel =>
        {
            kestrel.AddServerHeader = false;

            // The chat endpoint enforces Dispatcher:MaxRequestBodyBytes itself, with an OpenAI-shaped 413.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;

        });
        // A flush completes once the bytes reached the socket: a stream that fails after its commit point is aborted
        // right after its error event is flushed, and an abort drops whatever the transport still buffers.
        builder.WebHost.UseSockets(static sockets => sockets.MaxWriteBufferSize = 1);
        builder.Services.ConfigureHttpJsonOptions(static json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        return builder;
    }

    /// <summary>Maps every endpoint and the OpenAI-shaped answers for unknown paths, wrong methods and faults.</summary>
    public static WebApplication MapDispatcherApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(static errors => errors.Run(WriteUnhandledAsync));
        app.UseStatusCodePages(static async context =>
        {
            var response = context.HttpContext.Response;
            var message = response.StatusCode == 405 ? "This method is not allowed on this path." : "The request could not be served.";
            await OpenAiError.WriteAsync(response, response.StatusCode, message, response.StatusCode == 405 ? "method_not_allowed" : "error");
        });
        app.UseDispatcherAuth();
        app.MapChatCompletions();
        app.MapModels();
        app.MapHealth();
        app.MapOperatorApi();
        app.MapDashboard();
        app.MapKeysApi();
        app.MapFallback(static context =>
            OpenAiError.WriteAsync(context.Response, 404, $"Unknown path: {context.Request.Method} {context.Request.Path}.", "not_found"));
        return app;
    }

    private static async Task WriteUnhandledAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is BadHttpRequestException bad)
        {
            await OpenAiError.WriteAsync(context.Response, bad.StatusCode, "The request could not be read.", "bad_request");
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Dispatcher.ApiFront");
        LogUnhandled(logger, context.Request.Path, error?.GetType().Name ?? "unknown", error);
        await OpenAiError.WriteAsync(context.Response, 500, "Dispatcher failed to serve this request; the failure is logged.", "internal_error");
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Unhandled failure on {Path}: {ExceptionType}")]
    private static partial void LogUnhandled(ILogger logger, PathString path, string exceptionType, Exception? exception);
}
