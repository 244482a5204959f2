using Dispatcher.ApiFront.Hosting;

DispatcherHost.Build(args).Run();

/// <summary>The entry point.</summary>
public partial class Program;
