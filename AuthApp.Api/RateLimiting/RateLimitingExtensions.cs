using System.Net;
using System.Threading.RateLimiting;
using AuthApp.Api.Errors;
using AuthApp.Api.RateLimiting;
using AuthApp.Api.Security;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

internal static partial class RateLimitingExtensions
{
    /// <summary>
    /// The limits, counted in Redis. Per client address (<see cref="ClientAddress"/>): login, signup, refresh,
    /// password reset; per user: verification e-mails and voice commands; per account: failed logins
    /// (<see cref="LoginGuard"/>); per recipient: password-reset e-mails. When Redis is down every limited route but
    /// refresh fails closed (503 with <c>Retry-After</c>); refresh fails open.
    /// </summary>
    public static IHostApplicationBuilder AddAuthAppRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();

        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(RateLimitPolicies.Login, context => PerClientAddress(context, RateLimitPolicies.Login, limits => limits.Login));
            options.AddPolicy(RateLimitPolicies.Signup, context => PerClientAddress(context, RateLimitPolicies.Signup, limits => limits.Signup));
            options.AddPolicy(RateLimitPolicies.Refresh, context => FailOpen(PerClientAddress(context, RateLimitPolicies.Refresh, limits => limits.Refresh)));
            options.AddPolicy(RateLimitPolicies.AccountEmails, context => PerClientAddress(context, RateLimitPolicies.AccountEmails, limits => limits.AccountEmails));
            options.AddPolicy(RateLimitPolicies.VerificationEmails, context => PerUser(context, RateLimitPolicies.VerificationEmails, limits => limits.EmailsPerRecipient));
            options.AddPolicy(RateLimitPolicies.Voice, context => PerUser(context, RateLimitPolicies.Voice, limits => limits.VoicePerUser));
            options.OnRejected = (context, _) => RejectAsync(context.HttpContext, context.Lease);
        });
        builder.Services.AddSingleton<LoginGuard>();
        builder.Services.AddSingleton<RecipientRateLimiter>();

        builder.Services.AddOptions<ReverseProxyOptions>()
            .Bind(builder.Configuration.GetSection(ReverseProxyOptions.SectionName))
            .Validate(proxies => proxies.TrustedProxies.All(proxy => IPAddress.TryParse(proxy, out _)),
                "ReverseProxy:TrustedProxies must hold IP addresses.")
            .Validate(proxies => proxies.TrustedNetworks.All(network => System.Net.IPNetwork.TryParse(network, out _)),
                "ReverseProxy:TrustedNetworks must hold CIDR networks such as 10.0.0.0/8.")
            .ValidateOnStart();
        // IOptions<ForwardedHeadersOptions> is what the host's own forwarded-headers middleware reads: the one
        // ASP.NET Core adds in front of the whole pipeline when ASPNETCORE_FORWARDEDHEADERS_ENABLED=true
        // (ForwardedHeadersStartupFilter), after ForwardedHeadersOptionsSetup has cleared KnownProxies and
        // KnownIPNetworks, so that it would believe X-Forwarded-For from any sender and let a client choose its
        // rate-limit identity (or, behind a trusted proxy, have a second hop believed). Post-configured (after every
        // Configure, the host's included) to forward nothing: the API's own middleware takes its trusted proxies
        // from ReverseProxyOptions directly (UseAuthAppForwardedHeaders), and is the only one that acts.
        builder.Services.PostConfigure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.None;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
        });
        return builder;
    }

    /// <summary>
    /// <c>X-Forwarded-For</c> (and <c>X-Forwarded-Proto</c>) from the configured proxies only, one hop. With none
    /// configured the middleware is not run at all: with both of its trusted lists empty it would believe every sender.
    /// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> changes nothing (the host's middleware it adds forwards nothing, see
    /// <see cref="AddAuthAppRateLimiting"/>); a warning at start says so.
    /// </summary>
    public static WebApplication UseAuthAppForwardedHeaders(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<ReverseProxyOptions>>().Value;
        if (string.Equals(app.Configuration[HostForwardedHeadersSetting], "true", StringComparison.OrdinalIgnoreCase))
        {
            LogHostForwardedHeadersIgnored(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(ForwardedHeadersLogCategory),
                proxies.TrustedProxies.Count + proxies.TrustedNetworks.Count);
        }

        if (proxies.AnyConfigured)
        {
            app.UseForwardedHeaders(TrustedForwarding(proxies));
        }

        return app;
    }

    /// <summary>
    /// The configuration key behind <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>, as ASP.NET Core's
    /// <c>ForwardedHeadersStartupFilter</c> and <c>ForwardedHeadersOptionsSetup</c> read it (the <c>ASPNETCORE_</c>
    /// prefix is dropped by the host's environment configuration; keys are case-insensitive).
    /// </summary>
    internal const string HostForwardedHeadersSetting = "ForwardedHeaders_Enabled";

    private const string ForwardedHeadersLogCategory = "AuthApp.Api.RateLimiting.ForwardedHeaders";

    /// <summary>The API's own forwarding rules: only the configured proxies and networks are believed (not even loopback).</summary>
    internal static ForwardedHeadersOptions TrustedForwarding(ReverseProxyOptions proxies)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = 1,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies.TrustedProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in proxies.TrustedNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        return options;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ASPNETCORE_FORWARDEDHEADERS_ENABLED is set and ignored: X-Forwarded-For is believed only from ReverseProxy:TrustedProxies and ReverseProxy:TrustedNetworks ({TrustedCount} configured; none means never)")]
    private static partial void LogHostForwardedHeadersIgnored(ILogger logger, int trustedCount);

    private static RateLimitPartition<string> PerClientAddress(HttpContext context, string policy, Func<RateLimitOptions, WindowLimit> limit)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        return Partition($"{policy}:ip:{ClientAddress.Of(context)}", limit(limits), context.RequestServices.GetRequiredService<IConnectionMultiplexer>());
    }

    private static RateLimitPartition<string> PerUser(HttpContext context, string policy, Func<RateLimitOptions, WindowLimit> limit)
    {
        // These routes require authentication, which runs before the limiter: the user is known.
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var user = context.User.Identity?.IsAuthenticated == true ? context.User.Uid() : "anonymous:" + ClientAddress.Of(context);
        return Partition($"{policy}:user:{user}", limit(limits), context.RequestServices.GetRequiredService<IConnectionMultiplexer>());
    }

    private static RateLimitPartition<string> FailOpen(RateLimitPartition<string> partition) =>
        RateLimitPartition.Get(partition.PartitionKey, key => new FailOpenRateLimiter(partition.Factory(key)));

    /// <summary>
    /// A fixed window counted in Redis under <paramref name="key"/>, its limiter reporting idleness so that partitioned
    /// limiters drop it when unused (<see cref="IdleTrackingRateLimiter"/>).
    /// </summary>
    internal static RateLimitPartition<string> Partition(string key, WindowLimit limit, IConnectionMultiplexer redis, TimeProvider? clock = null)
    {
        var redisPartition = RedisRateLimitPartition.GetFixedWindowRateLimiter("authapp:ratelimit:" + key, _ => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
        });
        return RateLimitPartition.Get(redisPartition.PartitionKey,
            partitionKey => new IdleTrackingRateLimiter(redisPartition.Factory(partitionKey), clock ?? TimeProvider.System));
    }

    internal static ValueTask RejectAsync(HttpContext context, RateLimitLease lease) =>
        RejectAsync(context, RetryAfter(lease) ?? TimeSpan.FromMinutes(1));

    internal static ValueTask RejectAsync(HttpContext context, TimeSpan retryAfter) =>
        new(context.WriteProblemAsync(AppError.TooManyRequests(ProblemCodes.RateLimited, "Too many requests; try again later.", retryAfter)));

    // The Redis limiter reports whole seconds under the standard name; the built-in ones a TimeSpan.
    private static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter.Name, out var value) ? value switch
        {
            TimeSpan wait => wait,
            int seconds => TimeSpan.FromSeconds(seconds),
            _ => null,
        } : null;
}
