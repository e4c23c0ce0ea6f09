namespace AuthApp.Scheduling;

/// <summary>
/// A schedule is identified by its user, venue and device (one schedule per device, as in the original).
/// Its text form <c>uid/venue/device</c> is unambiguous because database keys cannot contain <c>/</c>.
/// </summary>
public readonly record struct ScheduleId(string Uid, string Venue, string Device)
{
    public override string ToString() => $"{Uid}/{Venue}/{Device}";

    public static bool TryParse(string? text, out ScheduleId id)
    {
        var parts = text?.Split('/');
        if (parts is [{ Length: > 0 } uid, { Length: > 0 } venue, { Length: > 0 } device])
        {
            id = new ScheduleId(uid, venue, device);
            return true;
        }

        id = default;
        return false;
    }
}
