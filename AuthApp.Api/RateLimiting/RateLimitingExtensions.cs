using System.Globalization;
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

internal static class RateLimitingExtensions
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
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ReverseProxyOptions>>((options, proxies) =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // Only the configured proxies are believed (not even loopback by default).
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                foreach (var proxy in proxies.Value.TrustedProxies)
                {
                    options.KnownProxies.Add(IPAddress.Parse(proxy));
                }

                foreach (var network in proxies.Value.TrustedNetworks)
                {
                    options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            });
        return builder;
    }

    /// <summary>
    /// <c>X-Forwarded-For</c> from the configured proxies only. With none configured the middleware is not run at all:
    /// with both of its trusted lists empty it would believe every sender.
    /// </summary>
    public static WebApplication UseAuthAppForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ReverseProxyOptions>>().Value.AnyConfigured)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

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

    internal static RateLimitPartition<string> Partition(string key, WindowLimit limit, IConnectionMultiplexer redis) =>
        RedisRateLimitPartition.GetFixedWindowRateLimiter("authapp:ratelimit:" + key, _ => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
        });

    internal static ValueTask RejectAsync(HttpContext context, RateLimitLease lease) =>
        RejectAsync(context, RetryAfter(lease) ?? TimeSpan.FromMinutes(1));

    internal static ValueTask RejectAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return new ValueTask(context.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests; try again later."));
    }

    // The Redis limiter reports whole seconds under the standard name; the built-in ones a TimeSpan.
    private static TimeSpan? RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter.Name, out var value) ? value switch
        {
            TimeSpan wait => wait,
            int seconds => TimeSpan.FromSeconds(seconds),
            _ => null,
        } : null;
}
