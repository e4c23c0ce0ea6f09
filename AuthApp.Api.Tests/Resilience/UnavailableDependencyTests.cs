using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AuthApp.Domain.Caching;
using Microsoft.Extensions.DependencyInjection;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Resilience;

/// <summary>
/// Redis or Firebase down: reads serve the last known value, whatever cannot be served is a 503 with
/// <c>Retry-After</c> within 2 s, never a 500 or a long wait.
/// </summary>
public sealed class UnavailableDependencyTests(ApiDependencies dependencies)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static async Task<(HttpResponseMessage Response, TimeSpan Took)> TimedAsync(Func<Task<HttpResponseMessage>> call)
    {
        var clock = Stopwatch.StartNew();
        var response = await call();
        return (response, clock.Elapsed);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, TimeSpan took)
    {
        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.True(took <= Bound, $"the 503 took {took}");
    }

    [Fact]
    public async Task With_redis_down_the_cached_profile_is_served_login_and_signup_fail_closed_quickly_and_refresh_fails_open()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{redis.Port}",
            ["Caching:AccessRecordFreshness"] = "00:00:00.500",
            ["RateLimiting:Login:PermitLimit"] = "100",
        });
        using var user = await api.SignUpAsync();
        (await user.Client.GetAsync("/auth/profile", Cancellation)).EnsureSuccessStatusCode();

        await redis.DisposeAsync();

        for (var i = 0; i < 3; i++)
        {
            var (profile, took) = await TimedAsync(() => user.Client.GetAsync("/auth/profile", Cancellation));
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            Assert.True(took <= Bound, $"the cached profile took {took}");
        }

        using var anonymous = api.CreateClient();
        var (login, loginTook) = await TimedAsync(() => anonymous.PostAsJsonAsync("/auth/login", new { email = user.Email, password = user.Password }, Cancellation));
        await AssertUnavailableAsync(login, loginTook);
        var (signup, signupTook) = await TimedAsync(() => anonymous.PostAsJsonAsync("/auth/signup",
            new { email = ApiUsers.NewEmail(), password = ApiUsers.Password, name = "N", accessToken = "AK-ANY" }, Cancellation));
        await AssertUnavailableAsync(signup, signupTook);

        // Refresh fails open: the refresh token is itself the credential, and refusing it would sign everyone out.
        var (refresh, refreshTook) = await TimedAsync(() => anonymous.PostAsJsonAsync("/auth/refresh", new { refreshToken = user.RefreshToken }, Cancellation));
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.True(refreshTook <= Bound, $"the refresh took {refreshTook}");
        Assert.DoesNotContain(api.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error), log => log.Category?.StartsWith("AuthApp", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task With_firebase_down_the_last_known_profile_is_served_and_an_unknown_user_is_a_quick_503()
    {
        await using var database = await UpstreamProxy.StartAsync(dependencies.Database.Host);
        await using var auth = await UpstreamProxy.StartAsync(dependencies.AuthHost);
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["Firebase:DatabaseEmulatorHost"] = database.Host,
            ["Firebase:AuthEmulatorHost"] = auth.Host,
            ["Caching:AccessRecordFreshness"] = "00:00:00.500",
        });
        using var known = await api.SignUpAsync();
        using var unknown = await api.SignUpAsync();
        (await known.Client.GetAsync("/auth/profile", Cancellation)).EnsureSuccessStatusCode();
        var cache = api.Services.GetRequiredService<UserCache>();
        await cache.EvictAsync(unknown.Uid, Cancellation);

        database.Mode = UpstreamMode.Hanging;
        auth.Mode = UpstreamMode.Hanging;
        // The known user's entries are out of date (as after their freshness lapsed): they must be read again, and cannot be.
        foreach (var key in UserCacheKeys.All(known.Uid))
        {
            await cache.Entries.ExpireAsync(key, token: Cancellation);
        }

        var (stale, staleTook) = await TimedAsync(() => known.Client.GetAsync("/auth/profile", Cancellation));
        var (missing, missingTook) = await TimedAsync(() => unknown.Client.GetAsync("/auth/profile", Cancellation));

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.True(staleTook <= Bound, $"the stale profile took {staleTook}");
        await AssertUnavailableAsync(missing, missingTook);
    }
}
