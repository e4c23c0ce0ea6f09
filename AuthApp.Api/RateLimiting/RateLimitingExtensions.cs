using System.Globalization;
using AuthApp.Api.Errors;
using System.Net;
using System.Threading.RateLimiting;
using AuthApp.Api.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using RedisRateLimiting;
using Microsoft.Extensions.Options;
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

        var limits = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(RateLimitPolicies.Login, context => PerClientAddress(context, RateLimitPolicies.Login, limits.Login));
            options.AddPolicy(RateLimitPolicies.Signup, context => PerClientAddress(context, RateLimitPolicies.Signup, limits.Signup));
            options.AddPolicy(RateLimitPolicies.Refresh, context => PerClientAddress(context, RateLimitPolicies.Refresh, limits.Refresh));
            options.AddPolicy(RateLimitPolicies.AccountEmails, context => PerClientAddress(context, RateLimitPolicies.AccountEmails, limits.AccountEmails));
            options.OnRejected = (context, _) => RejectAsync(context.HttpContext, context.Lease);
        });
        builder.Services.AddSingleton<AccountRateLimiter>();

        builder.Services.AddOptions<ReverseProxyOptions>().Bind(builder.Configuration.GetSection(ReverseProxyOptions.SectionName));
        var proxies = builder.Configuration.GetSection(ReverseProxyOptions.SectionName).Get<ReverseProxyOptions>() ?? new ReverseProxyOptions();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies are believed; by default no one is (not even loopback).
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
        });
        return builder;
    }

    internal static RateLimitPartition<string> PerClientAddress(HttpContext context, string policy, WindowLimit limit)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return Partition($"{policy}:ip:{address}", limit, context.RequestServices.GetRequiredService<IConnectionMultiplexer>());
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
