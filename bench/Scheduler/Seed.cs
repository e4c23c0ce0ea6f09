using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Bench.Scheduler;

/// <summary>
/// The benchmark's users: <c>user000000</c>... each with one venue of <c>perUser</c> devices, each device scheduled.
/// Schedule k (across all users) comes due at minute-of-day <c>k × 7919 mod 1440</c> (about total / 1440 a minute),
/// except the first <c>burst</c> schedules, at 08:00, the next <c>burst</c>, at 08:30, and the next, at 07:45 (a burst
/// the workers fire before the measured ones, so that both processes have compiled their hot paths): round-number
/// minutes where whole homes switch on together.
/// </summary>
internal static class Seed
{
    public const int BurstMinute = 8 * 60;
    public const int SecondBurstMinute = 8 * 60 + 30;
    public const int WarmUpBurstMinute = 7 * 60 + 45;

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

        return perMinute;
    }
}
