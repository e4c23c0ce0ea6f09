using System.Text.Json.Nodes;

namespace AuthApp.Domain.Tests;

public sealed class ScheduleTimingTests
{
    [Fact]
    public void The_schedules_own_zone_wins_over_the_users()
    {
        var schedule = JsonNode.Parse("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":"Asia/Kolkata"}""")!.AsObject();

        var timing = ScheduleTiming.Of(schedule, userZone: "Europe/London");

        Assert.Equal(new ScheduleTiming(new TimeOnly(7, 30), TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")), timing);
    }

    [Theory]
    [InlineData("Europe/London", "Europe/London")]
    [InlineData(null, "UTC")]
    public void Without_its_own_zone_a_schedule_takes_the_users_else_utc(string? userZone, string expected)
    {
        var schedule = JsonNode.Parse("""{"time":"19:30","action":"on","status":"enable"}""")!.AsObject();

        Assert.Equal(expected, ScheduleTiming.Of(schedule, userZone)!.Value.Zone.Id);
    }

    [Theory]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"disable"}""")]
    [InlineData("""{"time":"07:30 AM","action":"on"}""")]
    [InlineData("""{"time":"25:00","action":"on","status":"enable"}""")]
    [InlineData("""{"time":730,"action":"on","status":"enable"}""")]
    [InlineData("""{"time":{"h":7},"action":"on","status":"enable"}""")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":"America"}""")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":"Not/AZone"}""")]
    [InlineData("""{"time":"07:30 AM","action":"on","status":"enable","timeZone":42}""")]
    public void A_disabled_or_unreadable_schedule_has_no_timing(string json) =>
        Assert.Null(ScheduleTiming.Of(JsonNode.Parse(json)!.AsObject(), userZone: null));

    [Theory]
    [InlineData("Not/AZone")]
    [InlineData("Europe")]
    [InlineData("posix")]
    public void A_schedule_without_its_own_zone_does_not_fire_in_a_guessed_zone_when_the_users_is_unknown(string userZone)
    {
        var schedule = JsonNode.Parse("""{"time":"19:30","action":"on","status":"enable"}""")!.AsObject();

        Assert.Null(ScheduleTiming.Of(schedule, userZone));
    }
}
