using AuthApp.Api.Caching;
using AuthApp.Api.Security;
using AuthApp.Domain.Caching;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AuthApp.Api.Schedules;

public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapScheduleEndpoints(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/auth")
            .WithTags("Schedules")
            .RequireAuthorization(Policies.VerifiedAccess);

        schedules.MapPost("/set_schedule", SetAsync)
            .WithName("SetSchedule")
            .WithSummary("Schedules a device to take a value every day at a local time (enabled).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        schedules.MapGet("/get_schedules", GetAllAsync)
            .Produces<SchedulesResponse>(contentType: "application/json")
            .WithName("GetSchedules")
            .WithSummary("The user's schedules, by venue and device.");
        schedules.MapDelete("/delete_schedule", DeleteAsync)
            .WithName("DeleteSchedule")
            .WithSummary("Deletes a device's schedule.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        schedules.MapPost("/update_schedule_status", SetStatusAsync)
            .WithName("UpdateScheduleStatus")
            .WithSummary("Enables or disables a schedule.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<ScheduleResponse>> SetAsync(SetScheduleRequest request, HttpContext context, ScheduleService schedules) =>
        TypedResults.Ok(await schedules.SetAsync(context.User.Uid(), request, context.RequestAborted));

    /// <summary>From the per-user cache: a hit is a memory read.</summary>
    private static Task<IResult> GetAllAsync(HttpContext context, ScheduleService schedules, CachedReads cache)
    {
        var uid = context.User.Uid();
        return cache.JsonAsync(UserCacheKeys.Schedules(uid),
            async token => new SchedulesResponse(await schedules.GetAllAsync(uid, token)), context.RequestAborted);
    }

    private static async Task<Ok<MessageResponse>> DeleteAsync([FromBody] ScheduleRequest request, HttpContext context, ScheduleService schedules)
    {
        await schedules.DeleteAsync(context.User.Uid(), request.Venue!, request.Device!, context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Schedule deleted"));
    }

    private static async Task<Ok<ScheduleStatusResponse>> SetStatusAsync(ScheduleStatusRequest request, HttpContext context, ScheduleService schedules)
    {
        await schedules.SetStatusAsync(context.User.Uid(), request.Venue!, request.Device!, request.Status!, context.RequestAborted);
        return TypedResults.Ok(new ScheduleStatusResponse("Schedule status updated", request.Venue!, request.Device!, request.Status!));
    }
}
