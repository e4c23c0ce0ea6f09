using AuthApp.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AuthApp.Api.Monitoring;

public static class MonitoringEndpoints
{
    public static IEndpointRouteBuilder MapMonitoringEndpoints(this IEndpointRouteBuilder app)
    {
        var monitoring = app.MapGroup("/auth")
            .WithTags("Monitoring")
            .RequireAuthorization(Policies.VerifiedAccess);

        monitoring.MapPost("/add_monitoring_venue", AddVenueAsync)
            .WithName("AddMonitoringVenue")
            .WithSummary("Starts monitoring a venue with the given sensors.");
        // Sensor readings are written by the devices themselves, straight to the database: never cache them.
        monitoring.MapGet("/get_monitoring_data", GetAllAsync)
            .WithName("GetMonitoringData")
            .WithSummary("The user's monitored venues and their latest sensor readings.");
        monitoring.MapDelete("/delete_monitoring_venue", DeleteVenueAsync)
            .WithName("DeleteMonitoringVenue")
            .WithSummary("Stops monitoring a venue.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<MonitoringAddedResponse>> AddVenueAsync(AddMonitoringVenueRequest request, HttpContext context, MonitoringService monitoring) =>
        TypedResults.Ok(new MonitoringAddedResponse("Monitoring venue added",
            await monitoring.AddVenueAsync(context.User.Uid(), request.Venue!, request.Sensors!, context.RequestAborted)));

    private static async Task<Ok<MonitoringResponse>> GetAllAsync(HttpContext context, MonitoringService monitoring) =>
        TypedResults.Ok(new MonitoringResponse(await monitoring.GetAllAsync(context.User.Uid(), context.RequestAborted)));

    private static async Task<Ok<MessageResponse>> DeleteVenueAsync([FromBody] MonitoringVenueRequest request, HttpContext context, MonitoringService monitoring)
    {
        await monitoring.DeleteVenueAsync(context.User.Uid(), request.Venue!, context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Monitoring venue deleted"));
    }
}
