using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The log levels every AuthApp service starts from, one set for every sink (the console, OpenTelemetry and so the
/// dashboard, the API's rolling file): the framework's <c>Information</c>, and <c>Warning</c> for the libraries that
/// write a line per request, per outgoing call or per cache operation at <c>Information</c>. Under load those lines
/// were most of a replica's work and tens of megabytes of file a minute; what goes wrong in those libraries is logged
/// at <c>Warning</c> or above and still shows. They are defaults, not overrides: <c>Logging:LogLevel:{category}</c>
/// (appsettings, environment: <c>Logging__LogLevel__ZiggyCreatures.Caching.Fusion=Debug</c>) replaces any of them,
/// as it does any framework default.
/// </summary>
public static class LogLevelDefaults
{
    /// <summary>The categories (and everything under them) that start below <c>Information</c>, with why.</summary>
    public static IReadOnlyDictionary<string, LogLevel> Categories { get; } = new Dictionary<string, LogLevel>(StringComparer.Ordinal)
    {
        // "Request starting", "Request finished", the endpoint chosen, authorization decisions: lines per request.
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
        // The start and end of every outgoing call and of each of its handlers (the OTLP exporter's included).
        ["System.Net.Http.HttpClient"] = LogLevel.Warning,
        // The resilience pipeline's line per attempt; its retries and broken circuits are warnings.
        ["Polly"] = LogLevel.Warning,
        // Every connect, reconnect and configuration probe.
        ["StackExchange.Redis"] = LogLevel.Warning,
        // FusionCache 2 writes two lines per operation at Information ("FUSION [N=FusionCache ...] ... call FEO[DUR=...]"
        // and its return), a line per backplane message, and has no option to lower them; its errors are warnings.
        ["ZiggyCreatures.Caching.Fusion"] = LogLevel.Warning,
    };

    /// <summary>
    /// Puts <see cref="Categories"/> first among the filter rules. For two rules naming the same category the later
    /// one wins, and the configuration's rules are added when the host is made, before this runs: so configuration
    /// (<c>Logging:LogLevel</c>, <c>Logging:{Provider}:LogLevel</c>) overrides these defaults, and a more specific
    /// category always beats a shorter one, as everywhere in .NET logging.
    /// </summary>
    public static TBuilder AddLogLevelDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            var position = 0;
            foreach (var (category, level) in Categories)
            {
                options.Rules.Insert(position++, new LoggerFilterRule(providerName: null, category, level, filter: null));
            }
        });
        return builder;
    }
}
