using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Contract;

/// <summary>What every client sees whatever it calls: the OpenAPI document, CORS, and a problem for an unknown route.</summary>
public sealed class HttpContractTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_of_the_contract()
    {
        using var client = Api.CreateClient();

        var document = await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Cancellation);

        var paths = document!["paths"]!.AsObject().Select(path => path.Key).ToHashSet();
        string[] contract =
        [
            "/auth/signup", "/auth/login", "/auth/refresh", "/auth/profile", "/auth/save_fcm_token", "/auth/add_venue",
            "/auth/add_device", "/auth/device_state", "/auth/delete_venue", "/auth/delete_device", "/auth/set_schedule",
            "/auth/get_schedules", "/auth/delete_schedule", "/auth/update_schedule_status", "/auth/set_voice_key",
            "/auth/voice_key_exists", "/auth/voice_command", "/auth/add_monitoring_venue", "/auth/get_monitoring_data",
            "/auth/delete_monitoring_venue", "/auth/logout", "/auth/password_reset", "/auth/verify_email", "/auth/account",
            "/admin/licenses",
        ];
        Assert.All(contract, path => Assert.Contains(path, paths));
        Assert.NotNull(document["paths"]!["/auth/signup"]!["post"]!["requestBody"]);
        Assert.NotNull(document["components"]!["securitySchemes"]!["Bearer"]);
    }

    [Fact]
    public async Task Cross_origin_requests_are_allowed_only_from_configured_origins()
    {
        using var client = Api.CreateClient();

        using var allowed = await client.SendAsync(Preflight("http://localhost:3000"), Cancellation);
        using var refused = await client.SendAsync(Preflight("https://evil.example"), Cancellation);

        Assert.Equal("http://localhost:3000", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_unknown_route_answers_a_problem()
    {
        using var client = Api.CreateClient();

        using var response = await client.GetAsync("/auth/no_such_thing", Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/auth/profile");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return request;
    }
}
