using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Bench.Scheduler;

/// <summary>
/// The benchmark's users: <c>user000000</c>... each with one venue of <c>perUser</c> devices, each device scheduled.
/// Schedule k (across all users) comes due at minute-of-day <c>k × 7919 mod 1440</c> (about total / 1440 a minute),
/// except the first <c>burst</c> schedules, at 08:00, the next <c>burst</c>, at 08:30, and the next, at 07:45 (a burst
/// the workers fire before the measured ones, so that both processes have compiled their hot paths), the next at
/// 09:00 and the next at 09:30: round-number minutes where whole homes switch on together. At 09:00 one more tenant,
/// <see cref="HeavyTenant"/>, has the most schedules a user may have (<see cref="UserDataLimits.MaxSchedules"/>) all due
/// at once, and its uid sorts before every other: the fairness case, with 09:30 the same burst without it.
/// </summary>
internal static class Seed
{
    public const int BurstMinute = 8 * 60;
    public const int SecondBurstMinute = 8 * 60 + 30;
    public const int WarmUpBurstMinute = 7 * 60 + 45;
    public const int FairnessMinute = 9 * 60;
    public const int ControlMinute = 9 * 60 + 30;

    /// <summary>Sorts first in the index ('-' before any digit): its entries are claimed before anyone else's of the minute.</summary>
    public const string HeavyTenant = "user-heavy";

    /// <summary>Writes the users (500 per request); returns how many schedules come due at each minute of the day.</summary>
    public static async Task<int[]> WriteAsync(IFirebaseDatabase database, int users, int perUser, int burst)
    {
        var perMinute = new int[1440];
        const int usersPerWrite = 500;
        for (var first = 0; first < users; first += usersPerWrite)
        {
            var page = new Dictionary<string, JsonNode?>();
            for (var u = first; u < Math.Min(users, first + usersPerWrite); u++)
            {
                var devices = new JsonObject { ["__created"] = true };
                var schedules = new JsonObject();
                for (var d = 0; d < perUser; d++)
                {
                    var k = (long)u * perUser + d;
                    var minute = k < burst ? BurstMinute
                        : k < 2L * burst ? SecondBurstMinute
                        : k < 3L * burst ? WarmUpBurstMinute
                        : k < 4L * burst ? FairnessMinute
                        : k < 5L * burst ? ControlMinute
                        : (int)(k * 7919 % 1440);
                    perMinute[minute]++;
                    devices[$"device{d}"] = "off";
                    schedules[$"device{d}"] = new JsonObject { ["time"] = $"{minute / 60:D2}:{minute % 60:D2}", ["action"] = "on", ["status"] = "enable" };
                }

                page[$"user{u:D6}"] = new JsonObject
                {
                    ["email"] = $"user{u}@example.com",
                    ["fcmToken"] = $"token-{u}",
                    ["venues"] = new JsonObject { ["home"] = devices },
                    ["schedules"] = new JsonObject { ["home"] = schedules },
                };
            }

            await database.UpdateAsync("users", page);
        }

        await database.SetAsync($"users/{HeavyTenant}", HeavyRecord());
        perMinute[FairnessMinute] += UserDataLimits.MaxSchedules;
        return perMinute;
    }

    /// <summary>Stores no schedules' worth of data but <c>megabytes</c> of sensor readings, written 8 MB a request, and one schedule at 07:30.</summary>
    public const string Hoarder = "user-hoarder";

    /// <summary>
    /// A tenant who wrote <paramref name="megabytes"/> MB of sensor readings straight into the database (the rules cannot
    /// count) and has one schedule at 07:30: the rebuild must index it without buffering the rest, and 07:30 fire it.
    /// </summary>
    public static async Task WriteHoarderAsync(IFirebaseDatabase database, int megabytes, int[] perMinute)
    {
        var reading = new string('7', 4_000);
        for (var written = 0; written < megabytes; written += 8)
        {
            var sensors = new JsonObject();
            for (var k = 0; k < 2_000; k++)
            {
                sensors[$"s{k:D4}"] = reading;
            }

            await database.SetAsync($"users/{Hoarder}/monitoring_venues/room{written / 8:D4}", sensors);
        }

        await database.UpdateAsync($"users/{Hoarder}", new Dictionary<string, JsonNode?>
        {
            ["venues/home/lamp"] = "off",
            ["schedules/home/lamp"] = new JsonObject { ["time"] = "07:30", ["action"] = "on", ["status"] = "enable" },
        });
        perMinute[7 * 60 + 30]++;
    }

    /// <summary>The heavy tenant: 10 venues of 50 devices (the limits), every device scheduled at <see cref="FairnessMinute"/>.</summary>
    private static JsonObject HeavyRecord()
    {
        var venues = new JsonObject();
        var schedules = new JsonObject();
        var time = $"{FairnessMinute / 60:D2}:{FairnessMinute % 60:D2}";
        for (var v = 0; v < UserDataLimits.MaxSchedules / UserDataLimits.MaxDevicesPerVenue; v++)
        {
            var devices = new JsonObject { ["__created"] = true };
            var scheduled = new JsonObject();
            for (var d = 0; d < UserDataLimits.MaxDevicesPerVenue; d++)
            {
                devices[$"device{d}"] = "off";
                scheduled[$"device{d}"] = new JsonObject { ["time"] = time, ["action"] = "on", ["status"] = "enable" };
            }

            venues[$"room{v}"] = devices;
            schedules[$"room{v}"] = scheduled;
        }

        return new JsonObject { ["email"] = "heavy@example.com", ["venues"] = venues, ["schedules"] = schedules };
    }
}
