using AuthApp.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AuthApp.Api.Venues;

public static class VenueEndpoints
{
    public static IEndpointRouteBuilder MapVenueEndpoints(this IEndpointRouteBuilder app)
    {
        var venues = app.MapGroup("/auth")
            .WithTags("Venues and devices")
            .RequireAuthorization(Policies.VerifiedAccess);

        venues.MapPost("/add_venue", AddVenueAsync)
            .WithName("AddVenue")
            .WithSummary("Adds a venue (room).");
        venues.MapPost("/add_device", AddDeviceAsync)
            .WithName("AddDevice")
            .WithSummary("Adds a device to a venue with an initial state (default off).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        venues.MapPost("/device_state", SetDeviceStateAsync)
            .WithName("SetDeviceState")
            .WithSummary("Sets a device to on, off or a level 1..5.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        venues.MapDelete("/delete_venue", DeleteVenueAsync)
            .WithName("DeleteVenue")
            .WithSummary("Deletes a venue with its devices and schedules.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        venues.MapDelete("/delete_device", DeleteDeviceAsync)
            .WithName("DeleteDevice")
            .WithSummary("Deletes a device and its schedule.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<VenueAddedResponse>> AddVenueAsync(AddVenueRequest request, HttpContext context, VenueService venues)
    {
        await venues.AddVenueAsync(context.User.Uid(), request.Venue!, context.RequestAborted);
        return TypedResults.Ok(new VenueAddedResponse("Venue added", request.Venue!));
    }

    private static async Task<Ok<DeviceResponse>> AddDeviceAsync(AddDeviceRequest request, HttpContext context, VenueService venues)
    {
        await venues.AddDeviceAsync(context.User.Uid(), request.Venue!, request.Device!, request.State ?? "off", context.RequestAborted);
        return TypedResults.Ok(new DeviceResponse("Device added", request.Device!));
    }

    private static async Task<Ok<DeviceStateResponse>> SetDeviceStateAsync(DeviceStateRequest request, HttpContext context, VenueService venues)
    {
        await venues.SetDeviceStateAsync(context.User.Uid(), request.Venue!, request.Device!, request.Value!, context.RequestAborted);
        return TypedResults.Ok(new DeviceStateResponse("Updated", request.Value!));
    }

    private static async Task<Ok<VenueAddedResponse>> DeleteVenueAsync([FromBody] VenueRequest request, HttpContext context, VenueService venues)
    {
        await venues.DeleteVenueAsync(context.User.Uid(), request.Venue!, context.RequestAborted);
        return TypedResults.Ok(new VenueAddedResponse("Venue deleted", request.Venue!));
    }

    private static async Task<Ok<DeviceResponse>> DeleteDeviceAsync([FromBody] DeviceRequest request, HttpContext context, VenueService venues)
    {
        await venues.DeleteDeviceAsync(context.User.Uid(), request.Venue!, request.Device!, context.RequestAborted);
        return TypedResults.Ok(new DeviceResponse("Device deleted", request.Device!));
    }
}
