using System.ComponentModel.DataAnnotations;
using AuthApp.Api.Users;

namespace AuthApp.Api.Venues;

public sealed record AddVenueRequest([property: Required, DatabaseKey] string? Venue);

public sealed record VenueRequest([property: Required, DatabaseKey] string? Venue);

public sealed record AddDeviceRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, DatabaseKey] string? Device,
    [property: DeviceValue] string? State);

public sealed record DeviceRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, DatabaseKey] string? Device);

public sealed record DeviceStateRequest(
    [property: Required, DatabaseKey] string? Venue,
    [property: Required, DatabaseKey] string? Device,
    [property: Required, DeviceValue] string? Value);

public sealed record VenueAddedResponse(string Message, string Venue);

public sealed record DeviceResponse(string Message, string Device);

public sealed record DeviceStateResponse(string Message, string Value);
