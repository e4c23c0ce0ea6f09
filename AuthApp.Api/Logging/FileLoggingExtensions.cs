using AuthApp.Api.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace Microsoft.Extensions.Hosting;

internal static class FileLoggingExtensions
{
    /// <summary>
    /// Adds the rolling JSON-lines log file as one more logging provider. Every line is structured
    /// (the message template and its properties), and only what the API itself logs reaches it:
    /// no request bodies, no headers, so no password or token. Each line carries the replica's
    /// <c>ServiceInstanceId</c> (the <c>service.instance.id</c> of its spans), and each replica writes its
    /// own file (see <see cref="FileLoggingOptions.PathFor"/>): replicas never interleave in one file.
    /// </summary>
    /// <remarks>
    /// Levels: <c>Logging:LogLevel</c> and the services' <see cref="LogLevelDefaults"/>, as for the console and
    /// OpenTelemetry. The Serilog logger itself lets everything through, and the provider is registered without the
    /// catch-all rule <c>AddSerilog()</c> adds (<c>AddFilter&lt;SerilogLoggerProvider&gt;(null, Trace)</c>, which hands
    /// level decisions to Serilog's own minimum level and overrides): the framework's filter is the only one, so one
    /// set of levels governs every sink, and <c>Logging:Serilog:LogLevel</c> addresses the file alone if ever needed.
    /// </remarks>
    public static IHostApplicationBuilder AddRollingFileLog(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(FileLoggingOptions.SectionName);
        builder.Services.AddOptions<FileLoggingOptions>()
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var inContainer = string.Equals(Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase);
        if (!(section.Get<FileLoggingOptions>() ?? new FileLoggingOptions()).IsEnabled(inContainer))
        {
            return builder;
        }

        // A factory, so that the container disposes the provider (and the file sink flushes and closes) at shutdown.
        builder.Services.AddSingleton<ILoggerProvider>(services =>
        {
            var options = services.GetRequiredService<IOptions<FileLoggingOptions>>().Value;
            var environment = services.GetRequiredService<IHostEnvironment>();
            var instance = services.GetRequiredService<ServiceInstance>();
            var replicaPath = options.PathFor(instance.Replica);
            var path = System.IO.Path.IsPathRooted(replicaPath)
                ? replicaPath
                : System.IO.Path.Combine(environment.ContentRootPath, replicaPath);
            var logger = new LoggerConfiguration()
                .MinimumLevel.Verbose()
                .Enrich.FromLogContext()
                .Enrich.WithProperty("ServiceInstanceId", instance.Id)
                .WriteTo.File(
                    new CompactJsonFormatter(),
                    path,
                    fileSizeLimitBytes: options.FileSizeLimitBytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: options.RetainedFileCountLimit,
                    shared: true)
                .CreateLogger();
            return new SerilogLoggerProvider(logger, dispose: true);
        });
        return builder;
    }
}
