using System.Diagnostics;
using System.Globalization;
using AuthApp.Api.Users;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthApp.Api.Errors;

public static class ProblemExtensions
{
    /// <summary>
    /// Every error leaves the API as RFC 9457 <c>application/problem+json</c> carrying a stable
    /// <c>code</c>, the <c>traceId</c> to find it in the dashboard, and <c>error</c> with the message
    /// for clients of the original backend, which read <c>{"error": "..."}</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAuthAppProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (problem is HttpValidationProblemDetails validation)
            {
                FieldErrors.Describe(validation);
            }

            problem.Extensions.TryAdd("code", CodeFor(problem.Status));
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.HttpContext.TraceIdentifier;
            problem.Extensions["error"] = problem.Detail ?? problem.Title;
            problem.Instance ??= context.HttpContext.Request.Path;
        });
        builder.Services.AddExceptionHandler<AppExceptionHandler>();
        // Binding failures (malformed JSON, wrong types, oversized bodies) throw, so that one handler
        // words them; otherwise minimal APIs answer a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// Answers <paramref name="error"/> as a problem: its status, <c>code</c>, message and <c>field</c>, and its
    /// <c>Retry-After</c> when it has one. Every problem the API writes itself goes through here.
    /// </summary>
    public static Task WriteProblemAsync(this HttpContext context, AppError error)
    {
        context.Response.StatusCode = error.Status;
        if (error.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        }

        var problem = new ProblemDetails
        {
            Status = error.Status,
            Title = ReasonPhrases.GetReasonPhrase(error.Status),
            Detail = error.Message,
            Type = $"https://tools.ietf.org/html/rfc9110#section-15.{(error.Status >= 500 ? 6 : 5)}",
        };
        problem.Extensions["code"] = error.Code;
        if (error.Field is not null)
        {
            problem.Extensions["field"] = error.Field;
        }

        return WriteAsync(context, new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static async Task WriteAsync(HttpContext context, ProblemDetailsContext problem)
    {
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(problem))
        {
            // The client accepts no JSON (an event-stream client, a browser asking for an image): ASP.NET Core's
            // writer declines, and the answer would be a 500. A problem is the answer to every failure all the same.
            context.Request.Headers.Accept = "application/problem+json";
            await problems.WriteAsync(problem);
        }
    }

    /// <summary><c>Retry-After</c> in delta-seconds: whole seconds, rounded up, never 0 (which would invite a retry storm).</summary>
    internal static string RetryAfterSeconds(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string CodeFor(int? status) => status switch
    {
        400 => ProblemCodes.InvalidRequest,
        401 => ProblemCodes.Unauthorized,
        403 => ProblemCodes.Forbidden,
        404 => ProblemCodes.NotFound,
        405 => ProblemCodes.MethodNotAllowed,
        409 => ProblemCodes.Conflict,
        413 => ProblemCodes.PayloadTooLarge,
        415 => ProblemCodes.UnsupportedMediaType,
        429 => ProblemCodes.RateLimited,
        503 => ProblemCodes.UpstreamUnavailable,
        _ when status >= 500 => ProblemCodes.InternalError,
        _ => ProblemCodes.Error,
    };
}
