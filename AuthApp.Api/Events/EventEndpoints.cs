using AuthApp.Api.Errors;
using AuthApp.Api.Security;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.Events;

public static class EventEndpoints
{
    /// <summary>The longest <c>Last-Event-ID</c> read; a longer one is no id of ours and gets a sync.</summary>
    private const int MaxLastEventIdLength = 64;

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/auth")
            .WithTags("Live updates")
            .RequireAuthorization(Policies.VerifiedAccess);

        events.MapGet("/events", Stream)
            .WithName("Events")
            .WithSummary("Streams changes to the caller's home as Server-Sent Events.")
            .WithDescription("""
                `text/event-stream`, for the caller's own data only. Events (`event:` name, JSON `data:`):
                `sync` `{venues}` (the venues as the profile shows them; first, and whenever a resume cannot be served),
                `device` `{venue, device, state, source}` (`state` null: removed), `faults` `{venue, faults, source}`,
                `venue` `{venue, exists, source}`, `schedule` `{venue, device, outcome: fired|skipped, action, at}` (`at`: when it
                fired, or the occurrence skipped),
                `profile` `{name?, email?, timeZone?}`, `heartbeat` (no data), and last `end` `{reason, reconnect}` with
                reason `revoked`, `deleted`, `expired` (reconnect with a fresh token), `slow-consumer` or `shutdown`.
                `source` is `api`, `schedule` or `direct` (written to the database by a device or client). Every change
                has an `id`; reconnecting with `Last-Event-ID` replays what was missed when this replica still has it,
                else starts with a `sync`. `retry` suggests the reconnection delay.
                """)
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static IResult Stream(HttpContext context, UserEventHub hub, IOptions<EventStreamOptions> options)
    {
        var user = context.User;
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        var token = PresentedToken.Of(context);
        var (connection, stream, refusal) = hub.Connect(
            user.Uid(),
            user.AuthTime(),
            token is null ? null : PresentedToken.HashOf(token),
            user.ExpiresAt(),
            lastEventId.Length is > 0 and <= MaxLastEventIdLength ? lastEventId : null);
        if (connection is null || stream is null)
        {
            throw refusal switch
            {
                ConnectRefusal.TooManyForUser => AppError.TooManyRequests(
                    ProblemCodes.TooManyStreams, $"At most {options.Value.MaxStreamsPerUser} live streams per user.", options.Value.ReconnectAfter),
                _ => AppError.Unavailable("Live updates are not available on this server right now.", options.Value.ReconnectAfter),
            };
        }

        // nginx buffers responses unless told not to, whatever its configuration says about this location.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(connection.ReadAllAsync(closed => hub.Disconnect(stream, closed), context.RequestAborted));
    }
}
