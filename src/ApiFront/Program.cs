using Dispatcher.ApiFront.Hosting;
using Dispatcher.Silo.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
DispatcherConfigFile.Add(builder.Configuration, args);
builder.AddDispatcherFront();
builder.Services.AddDispatcherSilo(builder.Configuration);

var app = builder.Build();
app.MapDispatcherApi();
app.Run();

/// <summary>The entry point, public so end-to-end tests can host it (WebApplicationFactory).</summary>
public partial class Program;
