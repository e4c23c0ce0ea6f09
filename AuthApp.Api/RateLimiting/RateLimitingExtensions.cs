using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using AuthApp.Api.Errors;
using AuthApp.Api.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

internal static class RateLimitingExtensions
{
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
            options.AddPolicy(RateLimitPolicies.Refresh, context => PerClientAddress(context, RateLimitPolicies.Refresh, limits => limits.Refresh));
            options.AddPolicy(RateLimitPolicies.AccountEmails, context => PerClientAddress(context, RateLimitPolicies.AccountEmails, limits => limits.AccountEmails));
            options.OnRejected = (context, _) => RejectAsync(context.HttpContext, context.Lease);
        });
        builder.Services.AddSingleton<AccountRateLimiter>();

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
                // Only the configured proxies are believed; by default no one is (not even loopback).
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

    private static RateLimitPartition<string> PerClientAddress(HttpContext context, string policy, Func<RateLimitOptions, WindowLimit> limit)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        return Partition($"{policy}:ip:{address}", limit(limits), context.RequestServices.GetRequiredService<IConnectionMultiplexer>());
    }

    internal static RateLimitPartition<string> Partition(string key, WindowLimit limit, IConnectionMultiplexer redis) =>
        RedisRateLimitPartition.GetFixedWindowRateLimiter("authapp:ratelimit:" + key, _ => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
        });

    internal static ValueTask RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return new ValueTask(context.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests; try again later."));
    }
}
