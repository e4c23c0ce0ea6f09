using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Scheduler.Faults;
using AuthApp.Scheduler.Schedules;

namespace AuthApp.Scheduler.Tests;

public sealed class PolicyTests
{
    private static readonly DateTimeOffset Due = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    [Fact]
    public void An_occurrence_within_the_catch_up_window_fires_and_reports_its_lateness()
    {
        var decision = CatchUp.Decide(Due, Due.AddMinutes(9), TimeSpan.FromMinutes(10));

        Assert.Equal(CatchUpAction.Fire, decision.Action);
        Assert.Equal(TimeSpan.FromMinutes(9), decision.Lateness);
    }

    [Fact]
    public void An_occurrence_exactly_at_the_window_still_fires() =>
        Assert.Equal(CatchUpAction.Fire, CatchUp.Decide(Due, Due.AddMinutes(10), TimeSpan.FromMinutes(10)).Action);

    [Fact]
    public void An_occurrence_beyond_the_catch_up_window_is_skipped() =>
        Assert.Equal(CatchUpAction.Skip, CatchUp.Decide(Due, Due.AddMinutes(10).AddSeconds(1), TimeSpan.FromMinutes(10)).Action);

    [Fact]
    public void A_future_occurrence_is_not_due() =>
        Assert.Equal(CatchUpAction.NotDue, CatchUp.Decide(Due, Due.AddSeconds(-1), TimeSpan.FromMinutes(10)).Action);

    [Fact]
    public void An_occurrence_already_written_is_recovered_however_late_it_is_found()
    {
        var schedule = JsonNode.Parse($$"""{"time":"07:30","action":"on","status":"enable","lastNotified":{{Due.AddSeconds(1).ToUnixTimeSeconds()}}}""");

        var decision = FiringDecision.Decide(Due, Snapshot(schedule, deviceExists: true, Due.AddHours(2)), Due.AddHours(2), TimeSpan.FromMinutes(10));

        Assert.Equal((FireOutcome.Recovered, Due.AddDays(1), "on"), (decision.Outcome, decision.Next, decision.Action));
    }

    [Fact]
    public void A_schedule_whose_device_is_gone_is_removed_rather_than_writing_the_device_back()
    {
        var schedule = JsonNode.Parse("""{"time":"07:30","action":"on","status":"enable"}""");

        var decision = FiringDecision.Decide(Due, Snapshot(schedule, deviceExists: false, Due), Due, TimeSpan.FromMinutes(10));

        Assert.Equal(FireOutcome.Removed, decision.Outcome);
    }

    [Theory]
    [InlineData(1_781_508_600_000L)] // Due in milliseconds, as a client bug writes it
    [InlineData(253_402_300_800L)] // past year 9999: DateTimeOffset cannot even hold it
    public void A_last_firing_later_than_any_real_one_is_ignored_and_the_occurrence_fires(long lastNotified)
    {
        var schedule = JsonNode.Parse($$"""{"time":"07:30","action":"on","status":"enable","lastNotified":{{lastNotified}}}""");

        var decision = FiringDecision.Decide(Due, Snapshot(schedule, deviceExists: true, Due), Due, TimeSpan.FromMinutes(10));

        Assert.Equal((FireOutcome.Fired, "on"), (decision.Outcome, decision.Action));
        Assert.Equal("schedules/kitchen/lamp/lastNotified", decision.Problem?.Field);
    }

    [Fact]
    public void An_unreadable_schedule_is_removed_and_says_which_field()
    {
        var schedule = JsonNode.Parse("""{"time":"7.30","action":"on","status":"enable"}""");

        var decision = FiringDecision.Decide(Due, Snapshot(schedule, deviceExists: true, Due), Due, TimeSpan.FromMinutes(10));

        Assert.Equal((FireOutcome.Removed, "schedules/kitchen/lamp/time"), (decision.Outcome, decision.Problem?.Field));
    }

    private static ScheduleSnapshot Snapshot(JsonNode? schedule, bool deviceExists, DateTimeOffset now) =>
        new(ScheduleDefinition.Read(new ScheduleId("u", "kitchen", "lamp"), schedule, userZone: null, now), deviceExists);

    [Fact]
    public void No_field_of_a_user_sorts_between_the_time_zone_and_the_venues()
    {
        // The runner reads both with one key-range query; a field in between (secure/!) would come along.
        var fields = typeof(UserFields).GetFields().Select(field => (string)field.GetValue(null)!).ToList();

        Assert.DoesNotContain(fields, field =>
            JsonShapes.KeyOrder.Compare(field, UserFields.TimeZone) > 0 && JsonShapes.KeyOrder.Compare(field, UserFields.Venues) < 0);
    }

    [Fact]
    public void Fault_cooldown_allows_one_notification_per_hour()
    {
        var hour = TimeSpan.FromHours(1);
        Assert.True(Cooldown.IsOver(null, Due, hour));
        Assert.False(Cooldown.IsOver(Due, Due.AddMinutes(59), hour));
        Assert.True(Cooldown.IsOver(Due, Due.AddHours(1), hour));
    }

    [Fact]
    public void Faults_come_from_the_first_venue_in_key_order()
    {
        var venues = JsonNode.Parse("""{"kitchen":{"faults":""},"attic":{"faults":"Smoke sensor offline"}}""")!.AsObject();
        Assert.Equal("Smoke sensor offline", VenueData.FirstVenueFaults(venues).Value);

        var quiet = JsonNode.Parse("""{"attic":{"__created":true},"kitchen":{"faults":"Leak"}}""")!.AsObject();
        Assert.Equal("", VenueData.FirstVenueFaults(quiet).Value);
        Assert.Equal("", VenueData.FirstVenueFaults(null).Value);
    }
}
