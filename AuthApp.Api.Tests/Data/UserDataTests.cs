using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Data;

/// <summary>What a user stores comes back whole: names that look like numbers, no internal markers, limits that say no.</summary>
public sealed class UserDataTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Venues_and_devices_named_with_numbers_round_trip_through_the_profile()
    {
        using var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("0", "1", "on");
        await user.AddDeviceAsync("1", "0", "3");

        var profile = await user.Client.GetFromJsonAsync<JsonObject>("/auth/profile", Cancellation);

        Assert.Equal("""{"0":{"1":"on"},"1":{"0":"3"}}""", profile!["venues"]!.ToJsonString());
    }

    [Fact]
    public async Task A_schedule_on_a_device_named_0_in_a_venue_named_0_is_listed_and_deletable()
    {
        using var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("0", "0");
        (await user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue = "0", device = "0", time = "07:30 AM", action = "on" }, Cancellation))
            .EnsureSuccessStatusCode();

        var listed = await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_schedules", Cancellation);
        Assert.Equal("07:30 AM", (string?)listed!["schedules"]!["0"]!["0"]!["time"]);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_schedule") { Content = JsonContent.Create(new { venue = "0", device = "0" }) };
        (await user.Client.SendAsync(delete, Cancellation)).EnsureSuccessStatusCode();
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"));
    }

    [Fact]
    public async Task Re_adding_a_monitoring_venue_named_0_keeps_the_readings_its_sensors_reported()
    {
        using var user = await Api.SignUpAsync();
        (await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue = "0", sensors = new[] { "0", "1" } }, Cancellation))
            .EnsureSuccessStatusCode();
        await Api.WriteDatabaseAsync($"users/{user.Uid}/monitoring_venues/0/1", "23.5");

        using var again = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue = "0", sensors = new[] { "1", "2" } }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var answered = await again.Content.ReadFromJsonAsync<JsonObject>(Cancellation);
        var monitoring = await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_monitoring_data", Cancellation);
        Assert.Equal("""{"0":{"0":"0","1":"23.5","2":"0"}}""", monitoring!["monitoring"]!.ToJsonString());
        Assert.Equal(monitoring["monitoring"]!.ToJsonString(), answered!["monitoring"]!.ToJsonString());
    }

    [Fact]
    public async Task The_profile_shows_no_created_marker_and_nothing_from_secure()
    {
        using var user = await Api.SignUpAsync();
        (await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = "hall" }, Cancellation)).EnsureSuccessStatusCode();
        (await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = "AIza-secret-voice-key" }, Cancellation)).EnsureSuccessStatusCode();

        var text = await user.Client.GetStringAsync("/auth/profile", Cancellation);

        Assert.Equal("{}", JsonNode.Parse(text)!["venues"]!["hall"]!.ToJsonString());
        Assert.DoesNotContain("__created", text);
        Assert.DoesNotContain("AIza-secret-voice-key", text);
        Assert.DoesNotContain("secure", text);
    }

    [Fact]
    public async Task A_user_cannot_add_more_venues_than_the_limit_and_the_refused_one_is_not_written()
    {
        using var user = await Api.SignUpAsync();
        var venues = new JsonObject();
        for (var i = 0; i < UserDataLimits.MaxVenues; i++)
        {
            venues[$"room{i}"] = new JsonObject { [VenueFields.Created] = true };
        }

        await Api.WriteDatabaseAsync($"users/{user.Uid}/venues", venues);

        using var refused = await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = "one-too-many" }, Cancellation);
        var problem = await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "limit_exceeded");
        Assert.Equal("venue", (string?)problem["field"]);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/one-too-many"));

        // Re-adding an existing venue is not a new one.
        (await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = "room0" }, Cancellation)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_venue_cannot_hold_more_devices_than_the_limit()
    {
        using var user = await Api.SignUpAsync();
        var venue = new JsonObject { [VenueFields.Created] = true, [VenueFields.Faults] = "" };
        for (var i = 0; i < UserDataLimits.MaxDevicesPerVenue; i++)
        {
            venue[$"lamp{i}"] = "off";
        }

        await Api.WriteDatabaseAsync($"users/{user.Uid}/venues/kitchen", venue);

        using var refused = await user.Client.PostAsJsonAsync("/auth/add_device", new { venue = "kitchen", device = "extra" }, Cancellation);
        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "limit_exceeded");
        using var existing = await user.Client.PostAsJsonAsync("/auth/add_device", new { venue = "kitchen", device = "lamp0", state = "on" }, Cancellation);
        existing.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_monitored_venue_cannot_hold_more_sensors_than_the_limit_and_nothing_is_written()
    {
        using var user = await Api.SignUpAsync();
        var sensors = Enumerable.Range(0, UserDataLimits.MaxSensorsPerVenue).Select(i => $"s{i}").ToArray();
        (await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue = "lab", sensors }, Cancellation)).EnsureSuccessStatusCode();

        using var refused = await user.Client.PostAsJsonAsync("/auth/add_monitoring_venue", new { venue = "lab", sensors = new[] { "one-more" } }, Cancellation);

        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "limit_exceeded");
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/monitoring_venues/lab/one-more"));
    }

    [Fact]
    public async Task A_name_longer_than_100_characters_is_refused()
    {
        using var user = await Api.SignUpAsync();

        using var refused = await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = new string('v', UserDataLimits.MaxNameLength + 1) }, Cancellation);

        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/venues"));
    }

    [Fact]
    public async Task A_venues_tree_larger_than_the_ceiling_is_refused_not_served()
    {
        using var user = await Api.SignUpAsync();
        var venues = new JsonObject();
        var filler = new string('x', 1000);
        for (var i = 0; i < UserDataLimits.MaxSubtreeBytes / 1000 + 10; i++)
        {
            venues[$"v{i}"] = new JsonObject { [VenueFields.Faults] = filler };
        }

        await Api.WriteDatabaseAsync($"users/{user.Uid}/venues", venues);

        using var response = await user.Client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data_too_large");
    }
}
