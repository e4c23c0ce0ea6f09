using AuthApp.Api.Logging;
using Serilog;
using Serilog.Events;
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
    public static IHostApplicationBuilder AddRollingFileLog(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(FileLoggingOptions.SectionName).Get<FileLoggingOptions>() ?? new FileLoggingOptions();
        var inContainer = string.Equals(Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase);
        if (!(options.Enabled ?? !inContainer))
        {
            return builder;
        }

        var instance = ServiceInstance.From(builder.Configuration, builder.Environment.ApplicationName);
        var replicaPath = options.PathFor(instance.Replica);
        var path = System.IO.Path.IsPathRooted(replicaPath)
            ? replicaPath
            : System.IO.Path.Combine(builder.Environment.ContentRootPath, replicaPath);
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilog(options.MinimumLevel))
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            // Polly reports every HTTP attempt at Information: thousands of lines a second under load.
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            // Connection chatter (connects, reconnects, configuration probes) at Information.
            .MinimumLevel.Override("StackExchange.Redis", LogEventLevel.Warning)
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
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }

    private static LogEventLevel ToSerilog(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };
}
