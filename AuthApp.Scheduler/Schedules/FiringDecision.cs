using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// A claimed entry's schedule as the database has it now, already read into a <see cref="ScheduleDefinition"/>, and
/// whether its device exists in its venue; or why it could not be read.
/// </summary>
internal sealed record ScheduleSnapshot(ScheduleDefinition? Definition, bool DeviceExists, Exception? Failure = null);

/// <summary>
/// What to do with one entry: the outcome, the next occurrence to index, the action to apply, how late it fires, and
/// the stored field that could not be understood (reported once, with the entry's user hashed).
/// </summary>
internal readonly record struct Decision(
    FireOutcome Outcome, DateTimeOffset Next = default, string? Action = null, TimeSpan Lateness = default, DataProblem? Problem = null);

/// <summary>The rules for one claimed occurrence, given what the database says (no I/O).</summary>
internal static class FiringDecision
{
    public static Decision Decide(DateTimeOffset occurrence, ScheduleSnapshot snapshot, DateTimeOffset now, TimeSpan catchUpWindow)
    {
        var definition = snapshot.Definition;
        if (definition is not { Fires: true, Timing: { } timing, Action: { } action } || !snapshot.DeviceExists)
        {
            // Deleted, disabled, unreadable (an unknown zone, a bad time), or its device is gone: nothing to fire
            // until the API indexes it again. Writing the device now would even bring a deleted device back.
            return new(FireOutcome.Removed, Problem: definition?.Problem);
        }

        if (definition.LastNotified is { } last && last >= occurrence)
        {
            // Written for this occurrence already, by a replica that died before settling it: never write twice.
            // (A stored value later than any real firing was read as absent, see ScheduleDefinition.)
            return new(FireOutcome.Recovered, timing.Next(occurrence), action, last - occurrence, definition.Problem);
        }

        if (timing.Next(occurrence.AddSeconds(-1)) != occurrence)
        {
            // The definition changed behind the index's back (e.g. written straight into the database).
            return new(FireOutcome.Retimed, timing.Next(occurrence), Problem: definition.Problem);
        }

        var decision = CatchUp.Decide(occurrence, now, catchUpWindow);
        return decision.Action switch
        {
            CatchUpAction.NotDue => new(FireOutcome.NotDue),
            CatchUpAction.Skip => new(FireOutcome.Skipped, timing.Next(now), Lateness: decision.Lateness, Problem: definition.Problem),
            _ => new(FireOutcome.Fired, timing.Next(occurrence), action, decision.Lateness, definition.Problem),
        };
    }
}
