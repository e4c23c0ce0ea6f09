using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Testing;
using CsCheck;

namespace AuthApp.Domain.Tests;

/// <summary>
/// The one reader of stored data is total: whatever a client wrote (any type at any field, out-of-range numbers,
/// long text, nesting, arrays for objects) or a misbehaving server returned (repeated keys, lone surrogates,
/// numbers beyond a double), reading gives values or reasons and never throws.
/// </summary>
public sealed class StoredDataReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    /// <summary>JSON text no well-behaved database returns, which a JsonNode parse still accepts (and throws on later).</summary>
    private static readonly string[] MalformedTexts =
    [
        """{"time":"07:30","time":"08:00","action":"on","status":"enable"}""",
        """{"time":"07:30","action":"\ud800","status":"enable"}""",
        """{"time":"07:30","action":"on","status":"enable","lastNotified":1e400}""",
        """{"kitchen":{"lamp":"on","lamp":"off"},"kitchen":{"faults":"x"}}""",
        """{"kitchen":{"faults":"\udfff"}}""",
        """{"time":"\ud83d","action":"on","status":"\ud800enable"}""",
    ];

    [Fact]
    public void Reading_any_stored_json_as_a_schedule_or_venues_never_throws() =>
        Gen.Select(HostileJson.Value(6), HostileJson.Value(3)).Sample((stored, zone) =>
        {
            ReadEverything(stored, zone);
            return true;
        }, iter: PropertyRuns.Iterations(5_000));

    [Fact]
    public void Reading_a_hostile_user_record_never_throws() =>
        HostileJson.UserRecord(Now.ToUnixTimeSeconds()).Sample(user =>
        {
            foreach (var (_, venue) in JsonShapes.AsObject(user["schedules"]) ?? [])
            {
                foreach (var (_, schedule) in JsonShapes.AsObject(venue) ?? [])
                {
                    ReadEverything(schedule, user["timeZone"]);
                }
            }

            ReadEverything(user["venues"], user["timeZone"]);
            return true;
        }, iter: PropertyRuns.Iterations(2_000));

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_json_from_the_server_is_read_without_throwing(string json)
    {
        var node = JsonNode.Parse(json);

        ReadEverything(node, JsonNode.Parse("\"\\ud800\""));
    }

    [Fact]
    public void Repeated_keys_make_an_object_unreadable_rather_than_throwing_later() =>
        Assert.Null(JsonShapes.AsObject(JsonNode.Parse("""{"a":1,"a":2}""")));

    public static TheoryData<string> Malformed() => [.. MalformedTexts];

    private static void ReadEverything(JsonNode? stored, JsonNode? zone)
    {
        var definition = ScheduleDefinition.Read(new ScheduleId("u", "v", "d"), stored, zone, Now);
        _ = definition.Timing?.Next(Now);
        _ = VenueData.ForClients(stored).ToJsonString();
        _ = VenueData.Devices(stored);
        _ = VenueData.NamesOf(stored).ToList();
        _ = VenueData.FirstVenueName(stored);
        _ = VenueData.FirstVenueFaults(stored);
        _ = JsonShapes.Text(stored, 100);
        _ = JsonShapes.Integer(stored, 0, 10);
        _ = JsonShapes.UnixSeconds(stored, Now);
        _ = JsonShapes.IsTrue(stored);
        foreach (var (_, child) in JsonShapes.AsObject(stored) ?? [])
        {
            _ = ScheduleDefinition.Read(new ScheduleId("u", "v", "d"), child, stored, Now);
            _ = VenueData.Devices(child);
        }

        // The API serializes what it shows; that must not throw either.
        _ = JsonSerializer.Serialize(VenueData.ForClients(stored));
    }
}
