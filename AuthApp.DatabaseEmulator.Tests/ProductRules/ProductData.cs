using AuthApp.Testing;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.ProductRules;

/// <summary>
/// The product's data layout (the mobile contract), seeded for two users, and the locations of
/// <c>firebase/database.rules.json</c> grouped by who may do what there. Paths are relative to <c>users/{uid}</c>.
/// </summary>
public static class ProductData
{
    public static readonly string Rules = File.ReadAllText(RepoPaths.ProductRules);

    /// <summary>A revoked token's entry as the API writes it: the SHA-256 (hex) of the token, with its <c>exp</c>.</summary>
    public const string RevokedTokenHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static string UserDocument(string uid) => $$"""
        {
          "email": "{{uid}}@example.com",
          "name": "{{uid}}",
          "verifiedAccess": true,
          "accessKey": "KEY-{{uid}}",
          "fcmToken": "fcm-{{uid}}",
          "timeZone": "Europe/Paris",
          "lastFaultNotification": 1767000000,
          "revokedBefore": 1767000000,
          "revokedTokens": { "{{RevokedTokenHash}}": 1767003600 },
          "venues": { "Living": { "__created": true, "Lamp": "on", "Fan": "3", "faults": "none" } },
          "schedules": { "Living": { "Lamp": { "time": "07:30 AM", "action": "on", "status": "enable", "timeZone": "Europe/Paris", "lastNotified": 1767000000 } } },
          "monitoring_venues": { "Kitchen": { "temperature": "23.5", "humidity": 40 } },
          "secure": { "gemini_key": "g-{{uid}}" }
        }
        """;

    /// <summary>A namespace judged by the product rules, holding alice's and bob's data, a license key and an index entry.</summary>
    public static async Task<RulesDatabase> SeededAsync(EmulatorFixture fixture)
    {
        var db = await fixture.NewDatabaseAsync(Rules);
        await db.SeedAsync("users/alice", UserDocument("alice"));
        await db.SeedAsync("users/bob", UserDocument("bob"));
        await db.SeedAsync("licenseKeys/KEY-1", """{"createdAt": 1, "revoked": false}""");
        await db.SeedAsync("scheduleIndex/202601150730/alice|Living|Lamp", "true");
        return db;
    }

    /// <summary>What the owner may read (and nobody else).</summary>
    public static TheoryData<string> OwnerReadable { get; } =
    [
        "email", "name", "verifiedAccess", "lastFaultNotification", "fcmToken", "timeZone",
        "venues", "venues/Living", "venues/Living/Lamp", "venues/Living/faults",
        "schedules", "schedules/Living", "schedules/Living/Lamp", "schedules/Living/Lamp/time",
        "monitoring_venues", "monitoring_venues/Kitchen", "monitoring_venues/Kitchen/temperature",
    ];

    /// <summary>Locations of a user only the server reads (relative to users/{uid}; "" is the whole user).</summary>
    public static TheoryData<string> ServerOnlyInUser { get; } =
        ["", "accessKey", "secure", "secure/gemini_key", "revokedBefore", "revokedTokens", $"revokedTokens/{RevokedTokenHash}"];

    /// <summary>Locations outside users/{uid} only the server reads or writes.</summary>
    public static TheoryData<string> ServerOnlyElsewhere { get; } = ["", "users", "licenseKeys", "licenseKeys/KEY-1", "scheduleIndex", "scheduleIndex/202601150730"];

    /// <summary>Valid values the owner may write (what the mobile apps and devices write directly).</summary>
    public static TheoryData<string, string> OwnerWritable { get; } = new()
    {
        { "name", "\"Alice Smith\"" },
        { "name", Text(100) },
        { "fcmToken", "\"fcm:APA91bH-token\"" },
        { "fcmToken", Text(4096) },
        { "timeZone", "\"Europe/Paris\"" },
        { "timeZone", "\"America/Argentina/Buenos_Aires\"" },
        { "timeZone", "\"Etc/GMT+5\"" },
        { "timeZone", "\"UTC\"" },
        { "venues", """{"Living": {"__created": true}}""" },
        { "venues/Garage", """{"__created": true, "Door": "off", "Light": "5", "faults": ""}""" },
        { "venues/Living/Lamp", "\"off\"" },
        { "venues/Living/Lamp", "\"1\"" },
        { "venues/Living/NewDevice", "\"on\"" },
        { "venues/Living/faults", "\"Sensor offline\"" },
        { "venues/Living/faults", Text(1000) },
        { $"venues/{Name(100)}", """{"__created": true}""" },
        { $"venues/Living/{Name(100)}", "\"on\"" },
        { "schedules/Living/Lamp", """{"time": "7:30 PM", "action": "off", "status": "disable"}""" },
        { "schedules/Living/Lamp", """{"time": "19:30", "action": "3", "status": "enable", "timeZone": "Asia/Tokyo", "lastNotified": 1767225600}""" },
        { "schedules/Living/Lamp", """{"time": "07:30AM", "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "12:59 am", "action": "5", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "0:00", "action": "on", "status": "enable"}""" },
        { "schedules/Garage/Door", """{"time": "23:59", "action": "off", "status": "enable"}""" },
        { "schedules/Living/Lamp/status", "\"disable\"" },
        { "schedules/Living/Lamp/time", "\"06:15 PM\"" },
        { "schedules/Living/Lamp/lastNotified", "1767225600" },
        { "schedules/Living/Lamp/lastNotified", "0" },
        { "schedules/Living/Lamp/timeZone", "\"America/New_York\"" },
        { "monitoring_venues/Kitchen", """{"temperature": "0", "humidity": 40.5}""" },
        { "monitoring_venues/Kitchen/temperature", "\"24.0\"" },
        { "monitoring_venues/Kitchen/temperature", "23.5" },
        { "monitoring_venues/Kitchen/temperature", Text(64) },
        { "monitoring_venues/Kitchen/temperature", "-40.25" },
        { "monitoring_venues/Kitchen/temperature", "1000000000000000" },
        { "monitoring_venues/Kitchen/temperature", "-1000000000000000" },
        { $"monitoring_venues/Kitchen/{Name(100)}", "\"1\"" },
    };

    /// <summary>Values the rules' <c>.validate</c> refuse at locations the owner may otherwise write.</summary>
    public static TheoryData<string, string> Invalid { get; } = new()
    {
        { "name", "5" },
        { "name", "true" },
        { "name", Text(101) },
        { "name", """{"first": "A"}""" },
        { "fcmToken", "123" },
        { "fcmToken", Text(4097) },
        { "timeZone", "5" },
        { "timeZone", "\"\"" },
        { "timeZone", "\"Europe/../Paris\"" },
        { "timeZone", "\"/etc/passwd\"" },
        { "timeZone", "\"Europe Paris\"" },
        { "timeZone", "\"A/B/C/D\"" },
        { "timeZone", "\"" + new string('A', 65) + "\"" },
        { "venues", "\"on\"" },
        { "venues/Living", "\"on\"" },
        { "venues/Living", """{"Lamp": "6"}""" },
        { "venues/Living", """{"Lamp": "ON"}""" },
        { "venues/Living", """{"Lamp": 1}""" },
        { "venues/Living", """{"Lamp": true}""" },
        { "venues/Living", """{"Lamp": {"nested": "on"}}""" },
        { "venues/Living", """{"__created": false}""" },
        { "venues/Living", """{"faults": 5}""" },
        { "venues/Living/faults", Text(1001) },
        { "venues/Living/Lamp", "\"0\"" },
        { "venues/Living/Lamp", "\"on \"" },
        { "venues/Living/Lamp", "\"dim\"" },
        { "venues/Living/__created", "\"yes\"" },
        { $"venues/{Name(101)}", """{"__created": true}""" },
        { $"venues/Living/{Name(101)}", "\"on\"" },
        { "schedules", "\"off\"" },
        { "schedules/Living", "\"off\"" },
        { "schedules/Living/Lamp", "\"07:30 AM\"" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on"}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on", "status": "maybe"}""" },
        { "schedules/Living/Lamp", """{"time": "25:00", "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "7:60", "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "13:00 PM", "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "7:30 XM", "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM tomorrow", "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": 730, "action": "on", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "dim", "status": "enable"}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on", "status": "enable", "timeZone": "../etc"}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on", "status": "enable", "timeZone": 5}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on", "status": "enable", "lastNotified": "yesterday"}""" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on", "status": "enable", "color": "red"}""" },
        { "schedules/Living/Lamp/status", "\"paused\"" },
        { "schedules/Living/Lamp/extra", "1" },
        { "schedules/Living/Lamp/lastNotified", "1767225600000" },
        { "schedules/Living/Lamp/lastNotified", "-1" },
        { "schedules/Living/Lamp/lastNotified", "4102444800" },
        { "schedules/Living/Lamp/lastNotified", "\"1767225600\"" },
        { "schedules/Living/Lamp", """{"time": "07:30 AM", "action": "on", "status": "enable", "lastNotified": 1767225600000}""" },
        { $"schedules/Living/{Name(101)}", """{"time": "07:30 AM", "action": "on", "status": "enable"}""" },
        { "monitoring_venues/Kitchen", "\"23\"" },
        { "monitoring_venues/Kitchen", """{"temperature": true}""" },
        { "monitoring_venues/Kitchen", """{"temperature": {"value": 1}}""" },
        { "monitoring_venues/Kitchen/temperature", Text(65) },
        { "monitoring_venues/Kitchen/temperature", "false" },
        { "monitoring_venues/Kitchen/temperature", "1000000000000001" },
        { "monitoring_venues/Kitchen/temperature", "-1000000000000001" },
        { "monitoring_venues/Kitchen/temperature", "1e300" },
        { "monitoring_venues/Kitchen", """{"humidity": 1e20}""" },
        { $"monitoring_venues/{Name(101)}", """{"t": "1"}""" },
    };

    /// <summary>Locations the server writes and clients may not, with a plausible value.</summary>
    public static TheoryData<string, string> ServerWritten { get; } = new()
    {
        { "email", "\"mallory@example.com\"" },
        { "verifiedAccess", "true" },
        { "accessKey", "\"KEY-stolen\"" },
        { "lastFaultNotification", "1" },
        { "revokedBefore", "0" },
        { "revokedTokens", """{"0000000000000000000000000000000000000000000000000000000000000000": 1}""" },
        { $"revokedTokens/{RevokedTokenHash}", "1" },
        { "secure/gemini_key", "\"g-mine\"" },
        { "secure", """{"gemini_key": "g-mine"}""" },
        { "somethingElse", "\"x\"" },
    };

    public static string Text(int length) => "\"" + new string('x', length) + "\"";

    public static string Name(int length) => new('n', length);
}
