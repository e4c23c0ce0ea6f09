using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using AuthApp.Api.Users;
using AuthApp.Domain.Users;

namespace AuthApp.Api.Monitoring;

/// <param name="Sensors">Sensor names; each becomes a key under the venue, starting at "0".</param>
public sealed record AddMonitoringVenueRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, MinLength(1), MaxLength(UserDataLimits.MaxSensorsPerVenue)] IReadOnlyList<string>? Sensors);

public sealed record MonitoringVenueRequest([property: Required, DatabaseKey] string? Venue);

public sealed record MonitoringAddedResponse(string Message, JsonObject Monitoring);

public sealed record MonitoringResponse(JsonObject Monitoring);
