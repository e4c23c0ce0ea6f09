using System.Net;
using System.Net.Http.Json;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.RateLimiting;

/// <summary>Failed logins are counted per account and address, with a high per-account ceiling the owner's own addresses pass.</summary>
public abstract class LoginGuardTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private UpstreamProxy _auth = null!;
    private ApiFactory _api = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _auth = await UpstreamProxy.StartAsync(dependencies.AuthHost);
        _api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["Firebase:AuthEmulatorHost"] = _auth.Host,
            ["Firebase:TotalTimeout"] = "00:00:01",
            ["Firebase:RetryBaseDelay"] = "00:00:00.010",
            ["RateLimiting:LoginFailuresPerAccountAndAddress:PermitLimit"] = "5",
            ["RateLimiting:LoginFailuresPerAccount:PermitLimit"] = "8",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _auth.DisposeAsync();
    }

    private Task<HttpResponseMessage> LoginAsync(string email, string password, string from) => LoginAsync(_api, email, password, from);

    private static async Task<HttpResponseMessage> LoginAsync(ApiFactory api, string email, string password, string from)
    {
        using var client = api.CreateClient(null, from);
        return await client.PostAsJsonAsync("/auth/login", new { email, password }, Cancellation);
    }

    [Fact]
    public async Task A_stranger_failing_from_one_address_is_stopped_there_and_the_owner_still_signs_in_from_elsewhere()
    {
        using var owner = await _api.SignUpAsync();
        // The failures are counted in Redis, so a second replica adds to the same count; and the account is the
        // normalized e-mail, so case and spaces do not make a new one.
        await using var replica = _api.Replica();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            var (api, email) = i % 2 == 0 ? (_api, owner.Email) : (replica, $"  {owner.Email.ToUpperInvariant()} ");
            using var attempt = await LoginAsync(api, email, "wrong-password", "198.51.100.10");
            statuses.Add(attempt.StatusCode);
        }

        using var ownerLogin = await LoginAsync(owner.Email, owner.Password, "192.0.2.10");
        using var strangerWithTheRightPassword = await LoginAsync(owner.Email, owner.Password, "198.51.100.10");

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
        Assert.Equal(HttpStatusCode.OK, ownerLogin.StatusCode);
        await AssertProblemAsync(strangerWithTheRightPassword, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(strangerWithTheRightPassword.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_sign_in_after_two_typos_forgives_them_and_the_sixth_failure_after_it_is_refused()
    {
        using var owner = await _api.SignUpAsync();
        const string from = "203.0.113.40";
        var typos = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var typo = await LoginAsync(owner.Email, "wrong-password", from);
            typos.Add(typo.StatusCode);
        }
        using var signIn = await LoginAsync(owner.Email, owner.Password, from);
        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var failure = await LoginAsync(owner.Email, "wrong-password", from);
            failures.Add(failure.StatusCode);
        }

        Assert.All(typos, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.All(failures.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, failures[5]);
    }

    [Fact]
    public async Task Guessing_spread_over_many_addresses_hits_the_account_ceiling_but_not_the_owners_known_address()
    {
        using var owner = await _api.SignUpAsync(); // signed in once from loopback: a known address
        for (var i = 0; i < 8; i++)
        {
            using var guess = await LoginAsync(owner.Email, "wrong-password", $"198.51.100.{100 + i}");
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        using var nextStranger = await LoginAsync(owner.Email, "wrong-password", "198.51.100.200");
        using var ownerAtHome = await LoginAsync(owner.Email, owner.Password, "127.0.0.1");

        Assert.Equal(HttpStatusCode.TooManyRequests, nextStranger.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownerAtHome.StatusCode);
    }

    [Fact]
    public async Task Answers_that_were_the_servers_fault_are_not_counted_against_the_account()
    {
        using var owner = await _api.SignUpAsync();
        _auth.Mode = UpstreamMode.Down;
        // One more than the limit per account and address (and few enough that the client's circuit breaker stays closed).
        for (var i = 0; i < 6; i++)
        {
            using var outage = await LoginAsync(owner.Email, owner.Password, "192.0.2.77");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, outage.StatusCode);
        }

        _auth.Mode = UpstreamMode.Up;
        using var afterwards = await LoginAsync(owner.Email, owner.Password, "192.0.2.77");

        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }
}

public sealed class LoginGuardTestsOnSingleNode(ApiDependencies dependencies) : LoginGuardTests(dependencies);

public sealed class LoginGuardTestsOnCluster(ApiDependencies dependencies, RedisClusterFixture cluster) : LoginGuardTests(dependencies.OnCluster(cluster));
