using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Tests.Api;

public sealed class VenueTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Venues_and_devices_are_added_set_and_deleted_with_the_original_answers()
    {
        using var user = await host.SignUpAsync();

        var venue = await PostAsync(user, "/auth/add_venue", new { venue = "Living" });
        var device = await PostAsync(user, "/auth/add_device", new { venue = "Living", device = "Lamp" });
        var state = await PostAsync(user, "/auth/device_state", new { venue = "Living", device = "Lamp", value = "4" });

        Assert.Equal(new JsonObject { ["message"] = "Venue added", ["venue"] = "Living" }.ToJsonString(), venue.ToJsonString());
        Assert.Equal("Lamp", (string?)device["device"]);
        Assert.Equal(new JsonObject { ["message"] = "Updated", ["value"] = "4" }.ToJsonString(), state.ToJsonString());
        Assert.Equal("4", (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));

        using var deleteDevice = await DeleteAsync(user, "/auth/delete_device", new { venue = "Living", device = "Lamp" });
        Assert.Equal(HttpStatusCode.OK, deleteDevice.StatusCode);
        Assert.Null(await host.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
        Assert.NotNull(await host.ReadDatabaseAsync($"users/{user.Uid}/venues/Living"));

        using var deleteVenue = await DeleteAsync(user, "/auth/delete_venue", new { venue = "Living" });
        Assert.Equal(HttpStatusCode.OK, deleteVenue.StatusCode);
        Assert.Equal("Living", (string?)(await deleteVenue.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["venue"]);
        Assert.Null(await host.ReadDatabaseAsync($"users/{user.Uid}/venues/Living"));
    }

    [Fact]
    public async Task A_new_device_is_off_unless_a_state_is_given()
    {
        using var user = await host.SignUpAsync();
        await PostAsync(user, "/auth/add_venue", new { venue = "Hall" });

        await PostAsync(user, "/auth/add_device", new { venue = "Hall", device = "Bulb" });
        await PostAsync(user, "/auth/add_device", new { venue = "Hall", device = "Fan", state = "on" });

        Assert.Equal("off", (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/Hall/Bulb"));
        Assert.Equal("on", (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/Hall/Fan"));
    }

    [Fact]
    public async Task Deleting_a_venue_takes_its_schedules_with_it()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("Garage", "Door");
        await PostAsync(user, "/auth/set_schedule", new { venue = "Garage", device = "Door", time = "07:30 AM", action = "on" });

        using var response = await DeleteAsync(user, "/auth/delete_venue", new { venue = "Garage" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await host.ReadDatabaseAsync($"users/{user.Uid}/schedules/Garage"));
    }

    [Theory]
    [InlineData("/auth/add_device", """{"venue":"Nowhere","device":"Lamp"}""", "venue_not_found")]
    [InlineData("/auth/device_state", """{"venue":"Nowhere","device":"Lamp","value":"on"}""", "venue_not_found")]
    [InlineData("/auth/device_state", """{"venue":"Home","device":"Ghost","value":"on"}""", "device_not_found")]
    public async Task Writes_to_a_venue_or_device_that_does_not_exist_are_not_found_and_change_nothing(string path, string json, string code)
    {
        using var user = await host.SignUpAsync();
        await PostAsync(user, "/auth/add_venue", new { venue = "Home" });
        var before = (await host.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString();

        using var response = await user.Client.PostAsync(path, Json(json), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, code);
        Assert.Equal(before, (await host.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString());
    }

    [Theory]
    [InlineData("/auth/delete_venue", """{"venue":"Nowhere"}""", "venue_not_found")]
    [InlineData("/auth/delete_device", """{"venue":"Home","device":"Ghost"}""", "device_not_found")]
    public async Task Deleting_what_does_not_exist_is_not_found(string path, string json, string code)
    {
        using var user = await host.SignUpAsync();
        await PostAsync(user, "/auth/add_venue", new { venue = "Home" });

        using var request = new HttpRequestMessage(HttpMethod.Delete, path) { Content = Json(json) };
        using var response = await user.Client.SendAsync(request, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, code);
    }

    [Theory]
    [InlineData("/auth/add_venue", """{"venue":"Living.Room"}""", "venue")]
    [InlineData("/auth/add_venue", """{"venue":"a/b"}""", "venue")]
    [InlineData("/auth/add_venue", """{"venue":"$x"}""", "venue")]
    [InlineData("/auth/add_venue", """{"venue":""}""", "venue")]
    [InlineData("/auth/add_venue", """{"venue":"tab\there"}""", "venue")]
    [InlineData("/auth/add_venue", """{"venue":"faults"}""", "venue")]
    [InlineData("/auth/add_device", """{"venue":"Home","device":"Lamp[1]"}""", "device")]
    [InlineData("/auth/add_device", """{"venue":"Home","device":"Lamp","state":"dim"}""", "state")]
    [InlineData("/auth/device_state", """{"venue":"Home","device":"Lamp","value":"6"}""", "value")]
    [InlineData("/auth/device_state", """{"venue":"Home","device":"Lamp","value":5}""", "value")]
    [InlineData("/auth/device_state", """{"venue":"Home","device":"Lamp"}""", "value")]
    [InlineData("/auth/set_schedule", """{"venue":"Ho#me","device":"Lamp","time":"07:30 AM","action":"on"}""", "venue")]
    [InlineData("/auth/set_schedule", """{"venue":"Home","device":"Lamp","time":"25:99","action":"on"}""", "time")]
    [InlineData("/auth/update_schedule_status", """{"venue":"Home","device":"Lamp","status":"paused"}""", "status")]
    [InlineData("/auth/add_monitoring_venue", """{"venue":"Ho.me","sensors":["t"]}""", "venue")]
    public async Task Bad_input_is_a_bad_request_naming_the_field_and_changes_nothing(string path, string json, string field)
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("Home", "Lamp");
        var before = (await host.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString();

        using var response = await user.Client.PostAsync(path, Json(json), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(field, (string?)problem["error"]);
        Assert.Equal(before, (await host.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString());
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request_without_internal_details()
    {
        using var user = await host.SignUpAsync();

        using var response = await user.Client.PostAsync("/auth/add_venue", Json("""{"venue": "Living"""), Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        var text = problem.ToJsonString();
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        using var user = await host.SignUpAsync();
        var huge = new string('x', 200 * 1024);

        using var response = await user.Client.PostAsync("/auth/add_venue", Json($$"""{"venue":"{{huge}}"}"""), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Null(await host.ReadDatabaseAsync($"users/{user.Uid}/venues"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        using var user = await host.SignUpAsync();

        using var response = await user.Client.PostAsync("/auth/add_venue", new StringContent("venue=Living"), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    private static async Task<JsonObject> PostAsync(TestUser user, string path, object body)
    {
        using var response = await user.Client.PostAsJsonAsync(path, body, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
    }

    private static Task<HttpResponseMessage> DeleteAsync(TestUser user, string path, object body) =>
        user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path) { Content = JsonContent.Create(body) }, Cancellation);
}
