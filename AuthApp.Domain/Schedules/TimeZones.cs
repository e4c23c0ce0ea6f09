using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// IANA time zones of users and schedules; UTC when none is set. A zone is data, never a file path: an id is
/// valid only if the runtime knows it as a zone (its list of system zones, or ICU's IANA ids, which include
/// aliases such as <c>Asia/Calcutta</c>), checked in memory before anything touches the time-zone files.
/// Probing the files with any text would be unsafe: <c>FindSystemTimeZoneById("America")</c>, a directory of
/// the tz database, throws <see cref="System.Security.SecurityException"/>.
/// </summary>
public static class TimeZones
{
    private static readonly FrozenSet<string> SystemZones =
        TimeZoneInfo.GetSystemTimeZones().Select(zone => zone.Id).ToFrozenSet(StringComparer.Ordinal);

    // Bounded by the set of valid ids: only ids that passed IsValid are ever added.
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Resolved = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="id"/> names a time zone the runtime knows.</summary>
    public static bool IsValid(string? id) => TryFind(id, out _);

    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id is null || id.Length is 0 or > Users.UserDataLimits.MaxTimeZoneLength
            || (!SystemZones.Contains(id) && !TimeZoneInfo.TryConvertIanaIdToWindowsId(id, out _)))
        {
            return false;
        }

        var found = Resolved.GetOrAdd(id, static known =>
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(known);
            }
            catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException
                or System.Security.SecurityException or IOException or UnauthorizedAccessException)
            {
                // Known to ICU but missing from this machine's tz files: not usable here.
                return null;
            }
        });
        if (found is null)
        {
            return false;
        }

        zone = found;
        return true;
    }
}
