using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Monitoring;

/// <summary><c>/auth/add_monitoring_venue</c>, <c>/auth/get_monitoring_data</c>, <c>/auth/delete_monitoring_venue</c>, on the shared API.</summary>
public sealed class MonitoringTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Adding_a_monitoring_venue_starts_every_sensor_at_zero()
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue",
            new { venue = "Kitchen", sensors = new[] { "temperature", "humidity" } }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal("Monitoring venue added", (string?)body["message"]);
        var expected = new JsonObject { ["Kitchen"] = new JsonObject { ["temperature"] = "0", ["humidity"] = "0" } };
        Assert.True(JsonNode.DeepEquals(expected, body["monitoring"]), body.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected, await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues")));
    }

    [Fact]
    public async Task Monitoring_data_returns_the_latest_readings_of_every_monitored_venue()
    {
        using var user = await Api.SignUpAsync();
        await AddAsync(user, "Kitchen", "temperature");
        await AddAsync(user, "Garage", "co2");
        await Api.WriteDatabaseAsync($"users/{user.Uid}/monitoring_venues/Garage/co2", "410");

        var body = (await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_monitoring_data", Cancellation))!;

        var expected = new JsonObject
        {
            ["Kitchen"] = new JsonObject { ["temperature"] = "0" },
            ["Garage"] = new JsonObject { ["co2"] = "410" },
        };
        Assert.True(JsonNode.DeepEquals(expected, body["monitoring"]), body.ToJsonString());
    }

    [Fact]
    public async Task Monitoring_data_of_a_user_without_monitored_venues_is_empty()
    {
        using var user = await Api.SignUpAsync();

        var body = (await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_monitoring_data", Cancellation))!;

        Assert.True(JsonNode.DeepEquals(new JsonObject(), body["monitoring"]), body.ToJsonString());
    }

    [Fact]
    public async Task Deleting_a_monitoring_venue_removes_it_and_leaves_the_others()
    {
        using var user = await Api.SignUpAsync();
        await AddAsync(user, "Kitchen", "temperature");
        await AddAsync(user, "Garage", "co2");

        using var response = await DeleteAsync(user, new { venue = "Kitchen" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Monitoring venue deleted", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["Garage"] = new JsonObject { ["co2"] = "0" } },
            await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues")));
    }

    [Fact]
    public async Task Deleting_a_monitoring_venue_that_does_not_exist_answers_404()
    {
        using var user = await Api.SignUpAsync();
        await AddAsync(user, "Garage", "co2");

        using var response = await DeleteAsync(user, new { venue = "Kitchen" });

        Assert.Equal("monitoring_venue_not_found", (string?)(await response.ReadProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["Garage"] = new JsonObject { ["co2"] = "0" } },
            await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues")));
    }

    [Theory]
    [InlineData("temp.inside")]
    [InlineData("temp#2")]
    [InlineData("cost$")]
    [InlineData("a[0]")]
    [InlineData("b]")]
    [InlineData("in/out")]
    [InlineData("")]
    public async Task A_sensor_name_that_cannot_be_a_database_key_is_refused_naming_its_index(string badName)
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue",
            new { venue = "Kitchen", sensors = new[] { "temperature", badName } }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_sensor", (string?)problem["code"]);
        Assert.Equal("sensors[1]", (string?)problem["field"]);
        Assert.Contains("sensors[1]", (string?)problem["error"], StringComparison.Ordinal);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues"));
    }

    [Theory]
    [InlineData("Kit.chen")]
    [InlineData("Kit/chen")]
    [InlineData("")]
    public async Task An_invalid_venue_name_is_refused_and_nothing_is_written(string venue)
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue",
            new { venue, sensors = new[] { "temperature" } }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", (string?)problem["code"]);
        Assert.Equal("venue", (string?)problem["field"]);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues"));
    }

    [Fact]
    public async Task Missing_sensors_are_refused_and_nothing_is_written()
    {
        using var user = await Api.SignUpAsync();

        using var missing = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue = "Kitchen" }, Cancellation);
        using var empty = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue = "Kitchen", sensors = Array.Empty<string>() }, Cancellation);

        foreach (var response in new[] { missing, empty })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal("validation_failed", (string?)problem["code"]);
            Assert.Equal("sensors", (string?)problem["field"]);
        }

        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues"));
    }

    private static async Task AddAsync(ApiUser user, string venue, params string[] sensors)
    {
        using var response = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue, sensors }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<HttpResponseMessage> DeleteAsync(ApiUser user, object body) =>
        user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_monitoring_venue") { Content = JsonContent.Create(body) }, Cancellation);
}
