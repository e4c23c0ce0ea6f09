using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Venues;

/// <summary>
/// Venues and devices as the original answers them (<c>/auth/add_venue</c>, <c>/auth/add_device</c>,
/// <c>/auth/device_state</c>, <c>/auth/delete_*</c>), what bad input and bad bodies get, and that a user only ever
/// reaches their own, on the shared API.
/// </summary>
public sealed class VenueTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Venues_and_devices_are_added_set_and_deleted_with_the_original_answers()
    {
        using var user = await Api.SignUpAsync();

        var venue = await PostAsync(user, "/auth/add_venue", new { venue = "Living" });
        var device = await PostAsync(user, "/auth/add_device", new { venue = "Living", device = "Lamp" });
        var state = await PostAsync(user, "/auth/device_state", new { venue = "Living", device = "Lamp", value = "4" });

        Assert.Equal(new JsonObject { ["message"] = "Venue added", ["venue"] = "Living" }.ToJsonString(), venue.ToJsonString());
        Assert.Equal("Lamp", (string?)device["device"]);
        Assert.Equal(new JsonObject { ["message"] = "Updated", ["value"] = "4" }.ToJsonString(), state.ToJsonString());
        Assert.Equal("4", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));

        using var deleteDevice = await DeleteAsync(user, "/auth/delete_device", new { venue = "Living", device = "Lamp" });
        Assert.Equal(HttpStatusCode.OK, deleteDevice.StatusCode);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
        Assert.NotNull(await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living"));

        using var deleteVenue = await DeleteAsync(user, "/auth/delete_venue", new { venue = "Living" });
        Assert.Equal(HttpStatusCode.OK, deleteVenue.StatusCode);
        Assert.Equal("Living", (string?)(await deleteVenue.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["venue"]);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living"));
    }

    [Fact]
    public async Task A_new_device_is_off_unless_a_state_is_given()
    {
        using var user = await Api.SignUpAsync();
        await PostAsync(user, "/auth/add_venue", new { venue = "Hall" });

        await PostAsync(user, "/auth/add_device", new { venue = "Hall", device = "Bulb" });
        await PostAsync(user, "/auth/add_device", new { venue = "Hall", device = "Fan", state = "on" });

        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Hall/Bulb"));
        Assert.Equal("on", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Hall/Fan"));
    }

    [Fact]
    public async Task Deleting_a_venue_takes_its_schedules_with_it()
    {
        using var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("Garage", "Door");
        await PostAsync(user, "/auth/set_schedule", new { venue = "Garage", device = "Door", time = "07:30 AM", action = "on" });

        using var response = await DeleteAsync(user, "/auth/delete_venue", new { venue = "Garage" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/Garage"));
    }

    [Fact]
    public async Task Adding_a_device_to_a_venue_that_does_not_exist_is_not_found_and_changes_nothing()
    {
        using var user = await Api.SignUpAsync();
        await PostAsync(user, "/auth/add_venue", new { venue = "Home" });
        var before = (await Api.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString();

        using var response = await user.Client.PostAsync("/auth/add_device", Json("""{"venue":"Nowhere","device":"Lamp"}"""), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "venue_not_found");
        Assert.Equal(before, (await Api.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString());
    }

    [Theory]
    [InlineData("/auth/delete_venue", """{"venue":"Nowhere"}""", "venue_not_found")]
    [InlineData("/auth/delete_device", """{"venue":"Home","device":"Ghost"}""", "device_not_found")]
    public async Task Deleting_what_does_not_exist_is_not_found(string path, string json, string code)
    {
        using var user = await Api.SignUpAsync();
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
    public async Task Bad_input_is_a_bad_request_naming_the_field_and_changes_nothing(string path, string json, string field)
    {
        using var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("Home", "Lamp");
        var before = (await Api.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString();

        using var response = await user.Client.PostAsync(path, Json(json), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(field, (string?)problem["field"]);
        Assert.Contains(field, (string?)problem["error"]);
        Assert.Equal(before, (await Api.ReadDatabaseAsync($"users/{user.Uid}"))!.ToJsonString());
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request_without_internal_details()
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsync("/auth/add_venue", Json("""{"venue": "Living"""), Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        var text = problem.ToJsonString();
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsync("/auth/add_venue", new StringContent("venue=Living"), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_user_cannot_read_or_change_another_users_devices()
    {
        using var alice = await Api.SignUpAsync("Alice");
        using var bob = await Api.SignUpAsync("Bob");
        await alice.AddDeviceAsync("Shared", "Lamp", "off");

        // Bob names Alice's venue and device: the request only ever reaches Bob's own data.
        using var change = await bob.Client.PostAsJsonAsync("/auth/device_state", new { venue = "Shared", device = "Lamp", value = "on" }, Cancellation);
        using var delete = await bob.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_venue")
        {
            Content = JsonContent.Create(new { venue = "Shared" }),
        }, Cancellation);
        using var schedules = await bob.Client.GetAsync("/auth/get_schedules", Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal("{}", (await schedules.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["schedules"]!.ToJsonString());
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{alice.Uid}/venues/Shared/Lamp"));
    }

    private static async Task<JsonObject> PostAsync(ApiUser user, string path, object body)
    {
        using var response = await user.Client.PostAsJsonAsync(path, body, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
    }

    private static Task<HttpResponseMessage> DeleteAsync(ApiUser user, string path, object body) =>
        user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path) { Content = JsonContent.Create(body) }, Cancellation);
}
