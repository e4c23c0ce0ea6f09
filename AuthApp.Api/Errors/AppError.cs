namespace AuthApp.Api.Errors;

/// <summary>
/// The one exception the API's own code throws for an expected failure, and the one description of a problem
/// response (<see cref="ProblemExtensions.WriteProblemAsync"/> writes it). Its message is written to the client (as the
/// problem's <c>detail</c> and, for old clients, <c>error</c>), so it must be a sentence meant for them and never carry
/// internal or secret text.
/// </summary>
public sealed class AppError(int status, string code, string message, string? field = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>A stable, machine-readable code from <see cref="ProblemCodes"/>, e.g. <c>venue_not_found</c>.</summary>
    public string Code { get; } = code;

    /// <summary>The request field at fault, when one is.</summary>
    public string? Field { get; } = field;

    /// <summary>When the client may try again: answered as <c>Retry-After</c> (whole seconds, at least one).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static AppError BadRequest(string code, string message, string? field = null) =>
        new(StatusCodes.Status400BadRequest, code, message, field);

    public static AppError Unauthorized(string code, string message) => new(StatusCodes.Status401Unauthorized, code, message);

    public static AppError Forbidden(string code, string message) => new(StatusCodes.Status403Forbidden, code, message);

    public static AppError NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);

    public static AppError Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message);

    public static AppError Unprocessable(string code, string message) => new(StatusCodes.Status422UnprocessableEntity, code, message);

    public static AppError TooManyRequests(string code, string message, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, code, message) { RetryAfter = retryAfter };

    public static AppError Internal() =>
        new(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "An unexpected error occurred.");

    public static AppError Unavailable(string message, TimeSpan retryAfter) =>
        new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.UpstreamUnavailable, message) { RetryAfter = retryAfter };
}
