using AuthApp.DatabaseEmulator.Auth;
using AuthApp.DatabaseEmulator.Http;
using AuthApp.DatabaseEmulator.Http.Streaming;
using AuthApp.DatabaseEmulator.Persistence;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tree;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuthApp.DatabaseEmulator;

/// <summary>
/// Builds the emulator as a <see cref="WebApplication"/>, for <c>Program</c> and for tests that host it in-process.
/// Listening address: <c>--urls</c> / <c>ASPNETCORE_URLS</c>; else <c>PORT</c> (on localhost); else http://127.0.0.1:9000.
/// Throws <see cref="RulesException"/> when the <c>Rules:Path</c> file cannot be read or does not compile.
/// </summary>
public static partial class DatabaseEmulatorApp
{
    /// <summary>Readiness probe: 200 <c>{"status":"ok"}</c>. Not a <c>.json</c> path, so it never collides with data.</summary>
    public const string HealthPath = "/__health";

    public const int DefaultPort = 9000;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            var port = builder.Configuration["PORT"];
            builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(port) ? $"http://127.0.0.1:{DefaultPort}" : $"http://localhost:{port}");
        }

        var options = EmulatorOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseStore>();
        builder.Services.AddSingleton<PushIds>();
        builder.Services.AddSingleton<RestHandler>();
        builder.Services.AddSingleton<EventStreams>();
        builder.Services.AddSingleton<RulesSettingsEndpoint>();
        builder.Services.AddSingleton<IdTokenCache>();

        // Compiled here, once: a rules file that does not compile stops the start with a RulesException naming the location.
        builder.Services.AddSingleton(new RulesRegistry(options.RulesPath is null ? null : RuleSet.Load(options.RulesPath)));
        if (options.PersistencePath is not null)
        {
            builder.Services.AddHostedService<PersistenceService>();
        }

        configure?.Invoke(builder);

        var app = builder.Build();
        if (options.PersistencePath is not null)
        {
            PersistenceService.Load(app.Services.GetRequiredService<DatabaseStore>(), options.PersistencePath);
        }

        var handler = app.Services.GetRequiredService<RestHandler>();
        app.Run(context => context.Request.Path.Equals(HealthPath, StringComparison.Ordinal)
            ? WriteHealthAsync(context)
            : handler.HandleAsync(context));

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AuthApp.DatabaseEmulator");
        app.Lifetime.ApplicationStarted.Register(() => LogStarted(
            logger,
            string.Join(", ", app.Urls),
            options.DefaultNamespace,
            options.RulesPath ?? "(none: requests act as the owner, .indexOn not enforced)",
            options.PersistencePath ?? "(none: memory only)"));
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"status\":\"ok\"}");
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Realtime Database emulator listening on {Urls}; default namespace {Namespace}; rules {RulesPath}; persistence {PersistencePath}")]
    private static partial void LogStarted(ILogger logger, string urls, string @namespace, string rulesPath, string persistencePath);
}
