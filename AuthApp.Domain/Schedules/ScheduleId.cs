using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// A schedule is identified by its user, venue and device (one schedule per device, as in the original).
/// Its text form <c>uid/venue/device</c> is unambiguous because each part is a database key, which cannot
/// contain <c>/</c>; <see cref="TryParse"/> accepts nothing else.
/// </summary>
public readonly record struct ScheduleId(string Uid, string Venue, string Device)
{
    public override string ToString() => $"{Uid}/{Venue}/{Device}";

    /// <summary>The start of the text form of every schedule of one venue, <c>uid/venue/</c>.</summary>
    public static string VenuePrefix(string uid, string venue) => $"{uid}/{venue}/";

    public static bool TryParse(string? text, out ScheduleId id)
    {
        var parts = text?.Split('/');
        if (parts is [var uid, var venue, var device]
            && DatabasePath.IsValidKey(uid) && DatabasePath.IsValidKey(venue) && DatabasePath.IsValidKey(device))
        {
            id = new ScheduleId(uid, venue, device);
            return true;
        }

        id = default;
        return false;
    }
}
