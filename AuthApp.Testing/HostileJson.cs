using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;

namespace AuthApp.Testing;

/// <summary>
/// Generators of what a hostile or buggy client can store in its own part of the database: every JSON type at every
/// field, numbers out of every range (milliseconds for seconds, 1e300, negatives, fractions), long and odd text,
/// nesting, arrays where objects belong, integer-like keys (which the database returns as arrays), and well-formed
/// values mixed in, so that a case gets past the first check as often as it fails it. Everything generated is
/// something the database accepts from an admin (keys are database keys, numbers are finite doubles, text is valid
/// UTF-16), so each case reaches the code under test.
/// </summary>
public static class HostileJson
{
    // First: the static generators below are built from it, in textual order.
    private static readonly Gen<JsonNode?> Null = Gen.Const((JsonNode?)null);

    /// <summary>Database keys: plain names, integer-like ones, long ones, and ones the product reserves.</summary>
    public static readonly Gen<string> Key = Gen.Frequency(
        (6, Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz"], 1, 8]),
        (2, Gen.Int[0, 12].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.OneOf(Gen.Const("__created"), Gen.Const("faults"), Gen.Const("time"), Gen.Const("lastNotified"), Gen.Const("timeZone"))),
        (1, Gen.String[Gen.Char["xyz-_ éß漢"], 90, 200]));

    /// <summary>Numbers a client may write where the server reads one.</summary>
    public static readonly Gen<JsonNode?> Number = Gen.Frequency(
        (3, Gen.Long[-5, 4_000_000_000L].Select(n => (JsonNode?)n)),
        (2, Gen.Long[1_000_000_000_000L, 9_000_000_000_000L].Select(n => (JsonNode?)n)),
        (1, Gen.OneOf(Gen.Const(1e300), Gen.Const(-1e300), Gen.Const(253_402_300_800.0), Gen.Const(9.3e18), Gen.Const(0.5), Gen.Const(-0.0))
            .Select(d => (JsonNode?)d)),
        (1, Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)d)));

    /// <summary>Text a client may write: device-value look-alikes, times, zones, control characters, long runs.</summary>
    public static readonly Gen<JsonNode?> Text = Gen.Frequency(
        (3, Gen.OneOf(
            Gen.Const("on"), Gen.Const("off"), Gen.Const("3"), Gen.Const("7"), Gen.Const("enable"), Gen.Const("disable"),
            Gen.Const("07:30 AM"), Gen.Const("19:30"), Gen.Const("25:99"), Gen.Const("7.30"), Gen.Const(""),
            Gen.Const("Europe/Paris"), Gen.Const("America"), Gen.Const("posix/Europe/Paris"), Gen.Const("../../etc/passwd"),
            Gen.Const("Smoke"), Gen.Const("  "), Gen.Const("\u0000\r\n"), Gen.Const("<script>"))
            .Select(s => (JsonNode?)s)),
        (2, Gen.String[Gen.Char.AlphaNumeric, 0, 40].Select(s => (JsonNode?)s)),
        (1, Gen.String[Gen.Char[" \t\r\n\u0001\u007f\u00e9\u4e2d\ud83d\ude00"], 1, 20].Select(s => (JsonNode?)s)),
        (1, Gen.Int[1_000, 70_000].Select(n => (JsonNode?)new string('x', n))));

    /// <summary>
    /// Any JSON value, <paramref name="depth"/> levels of objects and arrays plus now and then a chain of up to 16 more
    /// (the database refuses data nested deeper than 32 levels from its root).
    /// </summary>
    public static Gen<JsonNode?> Value(int depth = 4) => depth <= 0
        ? Leaf
        : Gen.Frequency(
            (4, Leaf),
            (1, Object(Value(depth - 1), 0, 5).Select(o => (JsonNode?)o)),
            (1, Value(depth - 1).Array[0, 5].Select(items => (JsonNode?)new JsonArray([.. items.Select(Detached)]))),
            (1, Gen.Int[8, 16].Select(Deep)));

    /// <summary>Scalars: null, booleans, numbers, text.</summary>
    public static readonly Gen<JsonNode?> Leaf = Gen.Frequency(
        (1, Null),
        (1, Gen.Bool.Select(b => (JsonNode?)b)),
        (3, Number),
        (3, Text));

    /// <summary>An object of <paramref name="min"/>..<paramref name="max"/> children with generated keys.</summary>
    public static Gen<JsonObject> Object(Gen<JsonNode?> child, int min, int max) =>
        Gen.Select(Key, child).Array[min, max].Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (key, value) in pairs)
            {
                obj[key] = Detached(value);
            }

            return obj;
        });

    /// <summary>A stored schedule: each field well-formed or hostile, fields missing, unknown ones added.</summary>
    public static Gen<JsonNode?> Schedule(long now) => Gen.Frequency(
        (6, Gen.Select(
                Field(Gen.OneOf(Gen.Const("07:30 AM"), Gen.Const("19:30")).Select(s => (JsonNode?)s)),
                Field(Gen.OneOf(Gen.Const("on"), Gen.Const("off"), Gen.Const("2")).Select(s => (JsonNode?)s)),
                Field(Json("enable")),
                Gen.Frequency((4, Null), (1, Json("Asia/Kolkata")), (2, Value(2))),
                Gen.Frequency((2, Null), (1, Json(now - 86_400)), (3, Number), (1, Value(2))),
                Gen.Frequency((5, Null), (1, Value(3))))
            .Select((time, action, status, zone, lastNotified, extra) =>
            {
                var schedule = new JsonObject { ["time"] = Detached(time), ["action"] = Detached(action), ["status"] = Detached(status) };
                Put(schedule, "timeZone", zone);
                Put(schedule, "lastNotified", lastNotified);
                Put(schedule, "extra", extra);
                return (JsonNode?)schedule;
            })),
        (1, Value(3)));

    /// <summary>
    /// A user's record with its known fields each well-formed or hostile, and unknown children. Most of the time the
    /// devices its schedules name exist in its venues (as an app keeps them), so that its schedules get as far as firing.
    /// </summary>
    public static Gen<JsonObject> UserRecord(long now) => Gen.Select(
            Gen.Frequency((3, Null), (1, Json("Europe/Paris")), (3, Value(2))),
            Gen.Frequency((2, Null), (3, Number), (1, Value(2))),
            Gen.Frequency((2, Null), (3, Text), (1, Value(2))),
            Gen.Frequency(
                (3, Object(Object(Gen.Frequency((4, Text), (1, Value(2))), 0, 6).Select(v => (JsonNode?)v), 0, 4).Select(v => (JsonNode?)v)),
                (1, Value(3))),
            Gen.Frequency(
                (4, Object(Object(Schedule(now), 0, 4).Select(v => (JsonNode?)v), 0, 3).Select(v => (JsonNode?)v)),
                (1, Value(3))),
            Gen.Frequency((3, Null), (1, Value(3))),
            Gen.Frequency((3, Gen.Const(true)), (1, Gen.Const(false))))
        .Select((zone, lastFault, fcmToken, venues, schedules, monitoring, devicesExist) =>
        {
            var user = new JsonObject();
            Put(user, "timeZone", zone);
            Put(user, "lastFaultNotification", lastFault);
            Put(user, "fcmToken", fcmToken);
            Put(user, "venues", venues);
            Put(user, "schedules", schedules);
            Put(user, "monitoring_venues", monitoring);
            if (devicesExist && user["schedules"] is JsonObject scheduled && (user["venues"] ??= new JsonObject()) is JsonObject rooms)
            {
                foreach (var (venue, devices) in scheduled)
                {
                    if (devices is JsonObject named && (rooms[venue] ??= new JsonObject()) is JsonObject room)
                    {
                        foreach (var (device, _) in named)
                        {
                            room[device] ??= "off";
                        }
                    }
                }
            }

            return user;
        });

    private static Gen<JsonNode?> Json(JsonNode? value) => Gen.Const(value);

    private static Gen<JsonNode?> Field(Gen<JsonNode?> wellFormed) => Gen.Frequency((5, wellFormed), (1, Null), (2, Value(2)));

    private static void Put(JsonObject target, string key, JsonNode? value)
    {
        if (value is not null)
        {
            target[key] = Detached(value);
        }
    }

    /// <summary>Generated nodes may be shared between samples; a node can have one parent.</summary>
    private static JsonNode? Detached(JsonNode? node) => node?.DeepClone();

    private static JsonNode? Deep(int levels)
    {
        JsonNode node = "bottom";
        for (var i = 0; i < levels; i++)
        {
            node = new JsonObject { ["n"] = node };
        }

        return node;
    }
}
