using AuthApp.Api.Errors;

namespace AuthApp.Api.Venues;

/// <summary>The 404s of venues and devices: the venue routes and a schedule for a device answer alike.</summary>
public static class VenueErrors
{
    public static AppError VenueNotFound() => AppError.NotFound(ProblemCodes.VenueNotFound, "Venue not found");

    public static AppError DeviceNotFound() => AppError.NotFound(ProblemCodes.DeviceNotFound, "Device not found");
}
