using System.Text.Json.Nodes;

namespace AuthApp.Domain.Tests;

public sealed class ScheduleDefinitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    private static readonly ScheduleId Id = new("u1", "kitchen", "lamp");

    private static ScheduleDefinition Read(string json, string? userZone = null) =>
        ScheduleDefinition.Read(Id, JsonNode.Parse(json), userZone is null ? null : JsonValue.Create(userZone), Now);

    [Fact]
    public void The_schedules_own_zone_wins_over_the_users()
    {
        var definition = Read("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":"Asia/Kolkata"}""", userZone: "Europe/London");

        Assert.Equal(new ScheduleTiming(new TimeOnly(7, 30), TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")), definition.Timing);
        Assert.Equal(("on", null), (definition.Action, definition.Problem));
    }

    [Theory]
    [InlineData("Europe/London", "Europe/London")]
    [InlineData(null, "UTC")]
    public void Without_its_own_zone_a_schedule_takes_the_users_else_utc(string? userZone, string expected) =>
        Assert.Equal(expected, Read("""{"time":"19:30","action":"on","status":"enable"}""", userZone).Timing!.Value.Zone.Id);

    [Theory]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"disable"}""")]
    [InlineData("""{"time":"07:30 AM","action":"on"}""")]
    public void A_disabled_schedule_does_not_fire_and_is_no_problem(string json)
    {
        var definition = Read(json);

        Assert.Equal((true, false, null), (definition.Exists, definition.Fires, definition.Problem));
    }

    [Theory]
    [InlineData("""{"time":"25:00","action":"on","status":"enable"}""", "schedules/kitchen/lamp/time")]
    [InlineData("""{"time":730,"action":"on","status":"enable"}""", "schedules/kitchen/lamp/time")]
    [InlineData("""{"time":{"h":7},"action":"on","status":"enable"}""", "schedules/kitchen/lamp/time")]
    [InlineData("""{"time":"07:30 AM","action":"explode","status":"enable"}""", "schedules/kitchen/lamp/action")]
    [InlineData("""{"time":"07:30 AM","action":["on"],"status":"enable"}""", "schedules/kitchen/lamp/action")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":"America"}""", "schedules/kitchen/lamp/timeZone")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":"Not/AZone"}""", "schedules/kitchen/lamp/timeZone")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":42}""", "schedules/kitchen/lamp/timeZone")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":7}""", "schedules/kitchen/lamp/status")]
    [InlineData("\"a schedule\"", "schedules/kitchen/lamp")]
    public void An_unreadable_schedule_does_not_fire_and_names_the_field(string json, string field)
    {
        var definition = Read(json);

        Assert.False(definition.Fires);
        Assert.Equal(field, definition.Problem?.Field);
    }

    [Theory]
    [InlineData("Not/AZone")]
    [InlineData("Europe")]
    [InlineData("posix")]
    public void A_schedule_without_its_own_zone_does_not_fire_in_a_guessed_zone_when_the_users_is_unknown(string userZone)
    {
        var definition = Read("""{"time":"19:30","action":"on","status":"enable"}""", userZone);

        Assert.Equal((false, "timeZone"), (definition.Fires, definition.Problem?.Field));
    }

    [Theory]
    [InlineData("1781508600000")] // milliseconds
    [InlineData("1e300")]
    [InlineData("-5")]
    [InlineData("1781508600.5")]
    [InlineData("\"yesterday\"")]
    [InlineData("{\"at\":1}")]
    public void A_last_firing_that_is_no_firing_time_is_ignored_and_the_schedule_still_fires(string lastNotified)
    {
        var definition = Read($$"""{"time":"07:30","action":"on","status":"enable","lastNotified":{{lastNotified}}}""");

        Assert.True(definition.Fires);
        Assert.Null(definition.LastNotified);
        Assert.Equal("schedules/kitchen/lamp/lastNotified", definition.Problem?.Field);
    }

    [Fact]
    public void A_last_firing_a_few_seconds_ahead_of_this_clock_is_kept()
    {
        var definition = Read($$"""{"time":"07:30","action":"on","status":"enable","lastNotified":{{Now.AddSeconds(5).ToUnixTimeSeconds()}}}""");

        Assert.Equal((Now.AddSeconds(5), null), (definition.LastNotified, definition.Problem));
    }

    [Fact]
    public void Nothing_stored_is_no_schedule_and_no_problem()
    {
        var definition = ScheduleDefinition.Read(Id, null, null, Now);

        Assert.Equal((false, false, null), (definition.Exists, definition.Fires, definition.Problem));
    }
}
