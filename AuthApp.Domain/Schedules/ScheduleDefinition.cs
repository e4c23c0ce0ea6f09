using System.Text.Json.Nodes;
using AuthApp.Domain.Users;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// A stored schedule, <c>users/{uid}/schedules/{venue}/{device}</c> = <c>{time, action, status, timeZone?,
/// lastNotified?}</c>, as the API, the runner and the index rebuild all understand it. Clients write it directly, so it
/// is read field by field through <see cref="JsonShapes"/>: whatever is stored, reading gives a definition and, when a
/// field that matters cannot be understood, the <see cref="Problem"/> to report; it never throws.
/// </summary>
public sealed record ScheduleDefinition
{
    /// <summary>
    /// How far ahead of the reader's clock a stored <c>lastNotified</c> may be (replica clocks disagree by seconds); a
    /// later one is no time the schedule fired, and honouring it would suppress firings (or, read as "already written",
    /// send pushes for writes that never happened).
    /// </summary>
    public static readonly TimeSpan LastNotifiedTolerance = TimeSpan.FromMinutes(1);

    private const int MaxFieldLength = 16;

    private ScheduleDefinition()
    {
    }

    /// <summary>Nothing is stored there (or it is not an object).</summary>
    public bool Exists { get; private init; }

    /// <summary><c>status</c> is <c>enable</c>.</summary>
    public bool Enabled { get; private init; }

    /// <summary>When it fires: its time of day in its own zone, else the user's, else UTC. Null when it does not fire.</summary>
    public ScheduleTiming? Timing { get; private init; }

    /// <summary>The device value it sets (<c>on</c>, <c>off</c>, <c>1</c>..<c>5</c>); null when it does not fire.</summary>
    public string? Action { get; private init; }

    /// <summary>When it last fired (epoch seconds as the worker writes them); null when absent or unreadable.</summary>
    public DateTimeOffset? LastNotified { get; private init; }

    /// <summary>
    /// The first field that could not be understood, among those that matter: for an enabled schedule its time, action
    /// and zone (then it does not fire) and <c>lastNotified</c> (then it is ignored and the schedule fires as if it had
    /// never fired; the worker's next write replaces it).
    /// </summary>
    public DataProblem? Problem { get; private init; }

    /// <summary>Enabled, and its time, zone and action are all readable.</summary>
    public bool Fires => Timing is not null && Action is not null;

    /// <summary>
    /// Reads what is stored at <paramref name="id"/>'s location, with the user's own <c>timeZone</c> node (used when
    /// the schedule has none). <paramref name="now"/> bounds <c>lastNotified</c>.
    /// </summary>
    public static ScheduleDefinition Read(ScheduleId id, JsonNode? stored, JsonNode? userZone, DateTimeOffset now)
    {
        if (stored is null)
        {
            return new ScheduleDefinition();
        }

        var place = $"{UserFields.Schedules}/{id.Venue}/{id.Device}";
        if (JsonShapes.AsObject(stored) is not { } schedule)
        {
            return new ScheduleDefinition { Problem = new DataProblem(place, "not an object") };
        }

        var status = JsonShapes.Text(schedule[ScheduleFields.Status], MaxFieldLength);
        if (status.Value != ScheduleFields.Enabled)
        {
            // Disabled, or a status nobody can read: it does not fire either way, and only the latter is worth a word.
            var statusProblem = status.HasValue && status.Value == ScheduleFields.Disabled || !status.HasValue && status.Problem is null
                ? null
                : new DataProblem($"{place}/{ScheduleFields.Status}", "neither enable nor disable");
            return new ScheduleDefinition { Exists = true, Problem = statusProblem };
        }

        var lastNotified = JsonShapes.UnixSeconds(schedule[ScheduleFields.LastNotified], now + LastNotifiedTolerance);

        var timeText = JsonShapes.Text(schedule[ScheduleFields.Time], MaxFieldLength);
        var time = timeText.HasValue && ScheduleTime.TryParse(timeText.Value, out var parsed) ? parsed : (TimeOnly?)null;

        var actionText = JsonShapes.Text(schedule[ScheduleFields.Action], MaxFieldLength);
        var action = DeviceValues.IsAllowed(actionText.Value) ? actionText.Value : null;

        var zone = Zone(schedule, userZone, place, out var zoneProblem);

        // One problem per entry, the one that matters most: what stops it firing, else the lastNotified it ignores.
        var problem = (time is null ? new DataProblem($"{place}/{ScheduleFields.Time}", timeText.Problem ?? "not a time of day") : null)
            ?? (action is null ? new DataProblem($"{place}/{ScheduleFields.Action}", actionText.Problem ?? "not a device value") : null)
            ?? zoneProblem
            ?? (lastNotified.Problem is { } ignored ? new DataProblem($"{place}/{ScheduleFields.LastNotified}", ignored + "; ignored") : null);
        return new ScheduleDefinition
        {
            Exists = true,
            Enabled = true,
            Timing = time is { } at && zone is not null ? new ScheduleTiming(at, zone) : null,
            Action = action,
            LastNotified = lastNotified.HasValue ? lastNotified.Value : null,
            Problem = problem,
        };
    }

    /// <summary>The schedule's own zone, else the user's, else UTC; null (with the problem) when the one that applies is not a known zone.</summary>
    private static TimeZoneInfo? Zone(JsonObject schedule, JsonNode? userZone, string place, out DataProblem? problem)
    {
        problem = null;
        var (node, field) = schedule[ScheduleFields.TimeZone] is { } own
            ? (own, $"{place}/{ScheduleFields.TimeZone}")
            : (userZone, UserFields.TimeZone);
        if (node is null)
        {
            return TimeZoneInfo.Utc;
        }

        var id = JsonShapes.Text(node, Users.UserDataLimits.MaxTimeZoneLength);
        if (TimeZones.TryFind(id.Value, out var zone))
        {
            return zone;
        }

        // Firing at a guessed time would be worse than not firing.
        problem = new DataProblem(field, id.Problem ?? "not a known IANA time zone");
        return null;
    }
}
