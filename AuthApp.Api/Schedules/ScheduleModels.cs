using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AuthApp.Api.Users;

namespace AuthApp.Api.Schedules;

/// <param name="Time">The local time of day as the client shows it: "07:30 AM" or "19:30".</param>
/// <param name="TimeZone">Optional IANA time zone for this schedule; else the user's, else UTC.</param>
public sealed record SetScheduleRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, DatabaseKey] string? Device,
    [property: Required, StringLength(16)] string? Time,
    [property: Required, DeviceValue] string? Action,
    [property: StringLength(64)] string? TimeZone);

public sealed record ScheduleRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, DatabaseKey] string? Device);

public sealed record ScheduleStatusRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, DatabaseKey] string? Device,
    [property: Required, AllowedValues("enable", "disable", ErrorMessage = "Field 'status' must be enable or disable.")] string? Status);

public sealed record ScheduleResponse(
    string Venue,
    string Device,
    string Time,
    string Action,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TimeZone);

public sealed record SchedulesResponse(JsonObject Schedules);

public sealed record ScheduleStatusResponse(string Message, string Venue, string Device, string Status);
