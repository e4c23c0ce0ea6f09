using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Schedules;
using StackExchange.Redis;

namespace AuthApp.Api.Tests.Schedules;

/// <summary>
/// <c>/auth/set_schedule</c>, <c>/auth/get_schedules</c>, <c>/auth/update_schedule_status</c>,
/// <c>/auth/delete_schedule</c>, <c>/auth/time_zone</c>: the schedules in the database and their entries in
/// the due index the scheduler reads (a Redis sorted set per shard, <see cref="ScheduleIndexShard"/>, member
/// <c>uid/venue/device</c>, score = the next occurrence in Unix seconds), on the shared API.
/// </summary>
public sealed class ScheduleTests(ApiDependencies dependencies)
{

    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private IDatabase Cache => dependencies.Redis.Connection.GetDatabase();

    [Fact]
    public async Task Setting_a_schedule_stores_it_enabled_and_indexes_its_next_occurrence()
    {
        using var user = await UserWithLampAsync();
        var before = DateTimeOffset.UtcNow;

        using var response = await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["venue"] = "Living", ["device"] = "Lamp", ["time"] = "07:30 AM", ["action"] = "on", ["status"] = "enable" }, body),
            body.ToJsonString());
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["time"] = "07:30 AM", ["action"] = "on", ["status"] = "enable" },
            await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/Living/Lamp")));
        // No time zone anywhere: UTC.
        await AssertIndexedAtAsync(user, "Living", "Lamp", new TimeOnly(7, 30), TimeZoneInfo.Utc, before);
    }

    [Fact]
    public async Task A_24_hour_time_with_a_time_zone_is_indexed_at_that_local_minute()
    {
        using var user = await UserWithLampAsync();
        var before = DateTimeOffset.UtcNow;

        using var response = await SetAsync(user, new { venue = "Living", device = "Lamp", time = "19:30", action = "3", timeZone = "Asia/Kolkata" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal("19:30", (string?)body["time"]);
        Assert.Equal("Asia/Kolkata", (string?)body["timeZone"]);
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["time"] = "19:30", ["action"] = "3", ["status"] = "enable", ["timeZone"] = "Asia/Kolkata" },
            await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/Living/Lamp")));
        await AssertIndexedAtAsync(user, "Living", "Lamp", new TimeOnly(19, 30), TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"), before);
    }

    [Fact]
    public async Task Get_schedules_returns_the_users_schedule_tree()
    {
        using var user = await UserWithLampAsync();
        await user.AddDeviceAsync("Kitchen", "Fan");
        (await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" })).EnsureSuccessStatusCode();
        (await SetAsync(user, new { venue = "Kitchen", device = "Fan", time = "22:00", action = "off", timeZone = "Europe/Paris" })).EnsureSuccessStatusCode();

        var body = (await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_schedules", Cancellation))!;

        var expected = new JsonObject
        {
            ["Living"] = new JsonObject { ["Lamp"] = new JsonObject { ["time"] = "07:30 AM", ["action"] = "on", ["status"] = "enable" } },
            ["Kitchen"] = new JsonObject { ["Fan"] = new JsonObject { ["time"] = "22:00", ["action"] = "off", ["status"] = "enable", ["timeZone"] = "Europe/Paris" } },
        };
        Assert.True(JsonNode.DeepEquals(expected, body["schedules"]), body.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected, await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules")));
    }

    [Fact]
    public async Task Disabling_a_schedule_takes_it_out_of_the_due_index_and_enabling_puts_it_back()
    {
        using var user = await UserWithLampAsync();
        (await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" })).EnsureSuccessStatusCode();

        using var disable = await user.Client.PostAsJsonAsync("/auth/update_schedule_status", new { venue = "Living", device = "Lamp", status = "disable" }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        var body = (await disable.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.True(JsonNode.DeepEquals(new JsonObject
        {
            ["message"] = "Schedule status updated", ["venue"] = "Living", ["device"] = "Lamp", ["status"] = "disable",
        }, body), body.ToJsonString());
        Assert.Equal("disable", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/Living/Lamp/status"));
        Assert.Null(await IndexedScoreAsync(user, "Living", "Lamp"));

        var before = DateTimeOffset.UtcNow;
        using var enable = await user.Client.PostAsJsonAsync("/auth/update_schedule_status", new { venue = "Living", device = "Lamp", status = "enable" }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        Assert.Equal("enable", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/Living/Lamp/status"));
        await AssertIndexedAtAsync(user, "Living", "Lamp", new TimeOnly(7, 30), TimeZoneInfo.Utc, before);
    }

    [Fact]
    public async Task Deleting_a_schedule_removes_it_from_the_database_and_the_due_index()
    {
        using var user = await UserWithLampAsync();
        (await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" })).EnsureSuccessStatusCode();
        Assert.NotNull(await IndexedScoreAsync(user, "Living", "Lamp"));

        using var response = await SendAsync(user, HttpMethod.Delete, "/auth/delete_schedule", new { venue = "Living", device = "Lamp" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Schedule deleted", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"));
        Assert.Null(await IndexedScoreAsync(user, "Living", "Lamp"));
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
    }

    [Fact]
    public async Task Deleting_or_updating_a_schedule_that_does_not_exist_answers_404()
    {
        using var user = await UserWithLampAsync();

        using var delete = await SendAsync(user, HttpMethod.Delete, "/auth/delete_schedule", new { venue = "Living", device = "Lamp" });
        using var status = await user.Client.PostAsJsonAsync("/auth/update_schedule_status", new { venue = "Living", device = "Lamp", status = "enable" }, Cancellation);

        Assert.Equal("schedule_not_found", (string?)(await delete.ReadProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Equal("schedule_not_found", (string?)(await status.ReadProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"));
        Assert.Null(await IndexedScoreAsync(user, "Living", "Lamp"));
    }

    [Theory]
    [InlineData("25:00")]
    [InlineData("13:30 PM")]
    [InlineData("7.30")]
    [InlineData("noon")]
    [InlineData("0730")]
    public async Task An_invalid_time_is_refused_and_nothing_is_scheduled(string time)
    {
        using var user = await UserWithLampAsync();

        using var response = await SetAsync(user, new { venue = "Living", device = "Lamp", time, action = "on" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_time", (string?)problem["code"]);
        Assert.Equal("time", (string?)problem["field"]);
        await AssertNothingScheduledAsync(user);
    }

    [Fact]
    public async Task An_invalid_action_is_refused_and_nothing_is_scheduled()
    {
        using var user = await UserWithLampAsync();

        using var response = await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "7" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", (string?)problem["code"]);
        Assert.Equal("action", (string?)problem["field"]);
        await AssertNothingScheduledAsync(user);
    }

    [Fact]
    public async Task An_invalid_status_is_refused_and_the_schedule_is_unchanged()
    {
        using var user = await UserWithLampAsync();
        (await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" })).EnsureSuccessStatusCode();
        var score = await IndexedScoreAsync(user, "Living", "Lamp");

        using var response = await user.Client.PostAsJsonAsync("/auth/update_schedule_status", new { venue = "Living", device = "Lamp", status = "paused" }, Cancellation);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", (string?)problem["code"]);
        Assert.Equal("status", (string?)problem["field"]);
        Assert.Equal("enable", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/Living/Lamp/status"));
        Assert.NotNull(score);
        Assert.Equal(score, await IndexedScoreAsync(user, "Living", "Lamp"));
    }

    [Fact]
    public async Task Scheduling_an_unknown_device_answers_404_and_nothing_is_scheduled()
    {
        using var user = await UserWithLampAsync();

        using var response = await SetAsync(user, new { venue = "Living", device = "Heater", time = "07:30 AM", action = "on" });

        Assert.Equal("device_not_found", (string?)(await response.ReadProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"));
        Assert.Null(await IndexedScoreAsync(user, "Living", "Heater"));
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Heater"));
    }

    [Fact]
    public async Task Setting_the_users_time_zone_retimes_their_existing_schedules()
    {
        using var user = await UserWithLampAsync();
        await user.AddDeviceAsync("Kitchen", "Fan");
        (await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" })).EnsureSuccessStatusCode();
        // A schedule with its own zone keeps it.
        (await SetAsync(user, new { venue = "Kitchen", device = "Fan", time = "22:00", action = "off", timeZone = "America/New_York" })).EnsureSuccessStatusCode();
        var before = DateTimeOffset.UtcNow;

        using var response = await user.Client.PostAsJsonAsync("/auth/time_zone", new { timeZone = "Asia/Kolkata" }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Asia/Kolkata", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/timeZone"));
        await AssertIndexedAtAsync(user, "Living", "Lamp", new TimeOnly(7, 30), TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"), before);
        await AssertIndexedAtAsync(user, "Kitchen", "Fan", new TimeOnly(22, 0), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), before);
    }

    /// <summary>
    /// The API's answer to a zone the runtime does not know (which strings are zones is the domain's rule, see
    /// TimeZonesTests): a name nobody uses, and a directory of the tz database (which the runtime refuses with an
    /// exception of another kind, see platform-notes), for the user's zone and for one schedule's.
    /// </summary>
    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("America")]
    public async Task An_unknown_time_zone_is_refused_naming_the_field_and_nothing_changes(string zone)
    {
        using var user = await UserWithLampAsync();
        await user.AddDeviceAsync("Kitchen", "Fan");
        (await SetAsync(user, new { venue = "Living", device = "Lamp", time = "07:30 AM", action = "on" })).EnsureSuccessStatusCode();
        var score = await IndexedScoreAsync(user, "Living", "Lamp");
        var schedules = (await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"))!.ToJsonString();

        using var userZone = await user.Client.PostAsJsonAsync("/auth/time_zone", new { timeZone = zone }, Cancellation);
        using var scheduleZone = await SetAsync(user, new { venue = "Kitchen", device = "Fan", time = "07:30 AM", action = "on", timeZone = zone });

        foreach (var response in new[] { userZone, scheduleZone })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal("invalid_time_zone", (string?)problem["code"]);
            Assert.Equal("timeZone", (string?)problem["field"]);
        }

        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/timeZone"));
        Assert.Equal(schedules, (await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"))!.ToJsonString());
        Assert.NotNull(score);
        Assert.Equal(score, await IndexedScoreAsync(user, "Living", "Lamp"));
        Assert.Null(await IndexedScoreAsync(user, "Kitchen", "Fan"));
    }

    private async Task<ApiUser> UserWithLampAsync()
    {
        var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("Living", "Lamp");
        return user;
    }

    private static Task<HttpResponseMessage> SetAsync(ApiUser user, object body) =>
        user.Client.PostAsJsonAsync("/auth/set_schedule", body, Cancellation);

    private static Task<HttpResponseMessage> SendAsync(ApiUser user, HttpMethod method, string path, object body) =>
        user.Client.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) }, Cancellation);

    private static string Member(ApiUser user, string venue, string device) => $"{user.Uid}/{venue}/{device}";

    /// <summary>The index holds the schedule at its next occurrence: within a day of now, at <paramref name="time"/> in <paramref name="zone"/>.</summary>
    private async Task AssertIndexedAtAsync(ApiUser user, string venue, string device, TimeOnly time, TimeZoneInfo zone, DateTimeOffset before)
    {
        var score = await IndexedScoreAsync(user, venue, device);
        Assert.True(score.HasValue, $"{venue}/{device} is not in the due index");
        var next = DateTimeOffset.FromUnixTimeSeconds((long)score.Value);
        Assert.InRange(next, before, DateTimeOffset.UtcNow.AddDays(1));
        var local = TimeZoneInfo.ConvertTime(next, zone);
        Assert.Equal(time, TimeOnly.FromTimeSpan(local.TimeOfDay));
    }

    private async Task AssertNothingScheduledAsync(ApiUser user)
    {
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules"));
        Assert.Null(await IndexedScoreAsync(user, "Living", "Lamp"));
        Assert.Equal("off", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/venues/Living/Lamp"));
    }

    /// <summary>The score of the user's schedule in its shard of the due index, if it is indexed.</summary>
    private Task<double?> IndexedScoreAsync(ApiUser user, string venue, string device) =>
        Cache.SortedSetScoreAsync(ScheduleIndexShard.Of(user.Uid).DueKey, Member(user, venue, device));
}
