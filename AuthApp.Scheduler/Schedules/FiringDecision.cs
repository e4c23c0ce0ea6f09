using System.Text.Json.Nodes;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// A claimed entry's schedule as the database has it now: the schedule (null when missing or not an object),
/// whether its device exists in its venue, and the user's time zone; or why it could not be read.
/// </summary>
internal sealed record ScheduleSnapshot(JsonObject? Schedule, bool DeviceExists, string? UserZone, Exception? Failure = null);

/// <summary>What to do with one entry: the outcome, the next occurrence to index, the action to apply, and how late it fires.</summary>
internal readonly record struct Decision(FireOutcome Outcome, DateTimeOffset Next = default, string? Action = null, TimeSpan Lateness = default);

/// <summary>The rules for one claimed occurrence, given what the database says (no I/O).</summary>
internal static class FiringDecision
{
    public static Decision Decide(DateTimeOffset occurrence, ScheduleSnapshot snapshot, DateTimeOffset now, TimeSpan catchUpWindow)
    {
        if (snapshot.Schedule is not { } schedule
            || ScheduleTiming.Of(schedule, snapshot.UserZone) is not { } timing
            || JsonShapes.Text(schedule[ScheduleFields.Action]) is not { } action
            || !snapshot.DeviceExists)
        {
            // Deleted, disabled, unreadable (an unknown zone, a bad time), or its device is gone: nothing to fire
            // until the API indexes it again. Writing the device now would even bring a deleted device back.
            return new(FireOutcome.Removed);
        }

        if (JsonShapes.Integer(schedule[ScheduleFields.LastNotified]) is { } last && last >= occurrence.ToUnixTimeSeconds())
        {
            // Written for this occurrence already, by a replica that died before settling it: never write twice.
            return new(FireOutcome.Recovered, timing.Next(occurrence), action, DateTimeOffset.FromUnixTimeSeconds(last) - occurrence);
        }

        if (timing.Next(occurrence.AddSeconds(-1)) != occurrence)
        {
            // The definition changed behind the index's back (e.g. written straight into the database).
            return new(FireOutcome.Retimed, timing.Next(occurrence));
        }

        var decision = CatchUp.Decide(occurrence, now, catchUpWindow);
        return decision.Action switch
        {
            CatchUpAction.NotDue => new(FireOutcome.NotDue),
            CatchUpAction.Skip => new(FireOutcome.Skipped, timing.Next(now), Lateness: decision.Lateness),
            _ => new(FireOutcome.Fired, timing.Next(occurrence), action, decision.Lateness),
        };
    }
}
