using System.Net;
using System.Net.Http.Json;

namespace AuthApp.Api.Tests.RateLimiting;

/// <summary>
/// Who the limits count: signups and password-reset requests by address (as shipped: five), IPv6 clients by /64,
/// e-mails by recipient, voice commands by user.
/// </summary>
public abstract class ClientLimitTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signup_is_limited_per_address()
    {
        await using var api = new ApiFactory(dependencies, shippedRateLimits: true);
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var client = api.CreateClient(null, "198.51.100.31");
            using var response = await client.PostAsJsonAsync("/auth/signup",
                new { email = ApiUsers.NewEmail(), password = ApiUsers.Password, name = "N", accessToken = "AK-UNKNOWN" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        using var elsewhere = api.CreateClient(null, "198.51.100.32");
        using var other = await elsewhere.PostAsJsonAsync("/auth/signup",
            new { email = ApiUsers.NewEmail(), password = ApiUsers.Password, name = "N", accessToken = "AK-UNKNOWN" }, Cancellation);

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Forbidden, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task Password_reset_requests_are_limited_per_address()
    {
        await using var api = new ApiFactory(dependencies, shippedRateLimits: true);
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var client = api.CreateClient(null, "198.51.100.41");
            using var response = await client.PostAsJsonAsync("/auth/password_reset", new { email = ApiUsers.NewEmail() }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task Ipv6_clients_are_counted_per_64_block()
    {
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Login:PermitLimit"] = "3",
            ["RateLimiting:Login:Window"] = "00:10:00",
        });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var client = api.CreateClient(null, $"2001:db8:aa:bb::{i + 1:x}"); // one /64, four addresses
            using var response = await client.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail(), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        using var neighbour = api.CreateClient(null, "2001:db8:aa:bc::1"); // the next /64
        using var other = await neighbour.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail(), password = "wrong-password" }, Cancellation);

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task Password_reset_mails_to_one_recipient_are_limited_whatever_address_asks()
    {
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?> { ["RateLimiting:EmailsPerRecipient:PermitLimit"] = "3" });
        var victim = ApiUsers.NewEmail("victim");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var client = api.CreateClient(null, $"198.51.100.{150 + i}");
            using var response = await client.PostAsJsonAsync("/auth/password_reset", new { email = i % 2 == 0 ? victim : victim.ToUpperInvariant() }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(3), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
    }

    [Fact]
    public async Task Voice_commands_are_limited_per_user()
    {
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?> { ["RateLimiting:VoicePerUser:PermitLimit"] = "2" });
        using var user = await api.SignUpAsync();
        using var other = await api.SignUpAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await user.Client.PostAsJsonAsync("/auth/voice_command", new { text = "turn on the lamp" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        using var others = await other.Client.PostAsJsonAsync("/auth/voice_command", new { text = "turn on the lamp" }, Cancellation);

        Assert.All(statuses.Take(2), status => Assert.Equal(HttpStatusCode.BadRequest, status)); // no Gemini key stored
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[2]);
        Assert.Equal(HttpStatusCode.BadRequest, others.StatusCode);
    }
}

public sealed class ClientLimitTestsOnSingleNode(ApiDependencies dependencies) : ClientLimitTests(dependencies);

public sealed class ClientLimitTestsOnCluster(ApiDependencies dependencies, RedisClusterFixture cluster) : ClientLimitTests(dependencies.OnCluster(cluster));
