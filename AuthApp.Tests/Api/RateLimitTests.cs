using System.Net;
using System.Net.Http.Json;
using AuthApp.Tests.Infrastructure;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Tests.Api;

/// <summary>The limits are counted in Redis, so two API replicas enforce one limit between them.</summary>
public sealed class RateLimitTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_is_refused_after_five_attempts_from_one_address_whichever_replica_answers()
    {
        var replicas = await host.CreateReplicaClientsAsync(host.NextClientAddress());
        Assert.Equal(2, replicas.Count);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            // Alternate replicas, and a different account each time so only the address limit applies.
            using var response = await replicas[attempt % 2].PostAsJsonAsync("/auth/login",
                new { email = TestUsers.NewEmail(), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
            if (attempt == 5)
            {
                await AssertRetryAfterAsync(response);
            }
        }

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
        replicas.ToList().ForEach(client => client.Dispose());
    }

    [Fact]
    public async Task Failed_logins_on_one_account_from_one_address_are_refused_after_five_whichever_replica_answers()
    {
        using var user = await host.SignUpAsync();
        var address = host.NextClientAddress();
        var replicas = await host.CreateReplicaClientsAsync(address);
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            // The account is the normalized email: case and spaces do not make a new one.
            var email = attempt % 2 == 0 ? user.Email : $"  {user.Email.ToUpperInvariant()} ";
            using var response = await replicas[attempt % 2].PostAsJsonAsync("/auth/login", new { email, password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
            if (attempt == 5)
            {
                await AssertRetryAfterAsync(response);
            }
        }

        // The owner, from elsewhere, is not locked out.
        var elsewhere = await host.CreateReplicaClientsAsync(host.NextClientAddress());
        using var owner = await elsewhere[0].PostAsJsonAsync("/auth/login", new { email = user.Email, password = user.Password }, Cancellation);

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        replicas.Concat(elsewhere).ToList().ForEach(client => client.Dispose());
    }

    [Fact]
    public async Task Signup_is_limited_per_address()
    {
        using var client = host.CreateApiClient();
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/auth/signup",
                new { email = TestUsers.NewEmail(), password = TestUsers.Password, name = "N", accessToken = "AK-UNKNOWN" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Forbidden, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task Password_reset_requests_are_limited_per_address()
    {
        using var client = host.CreateApiClient();
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/auth/password_reset", new { email = TestUsers.NewEmail() }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    private static async Task AssertRetryAfterAsync(HttpResponseMessage response)
    {
        await AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
    }
}
