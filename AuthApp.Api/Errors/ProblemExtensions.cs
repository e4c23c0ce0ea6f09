using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc;

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
                DescribeValidationFailure(validation);
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

    public static Task WriteProblemAsync(this HttpContext context, int status, string code, string detail, string? field = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = ReasonPhrases.GetReasonPhrase(status),
            Detail = detail,
            Type = $"https://tools.ietf.org/html/rfc9110#section-15.{(status >= 500 ? 6 : 5)}",
        };
        problem.Extensions["code"] = code;
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem })
            .AsTask();
    }

    /// <summary>
    /// Names fields as the JSON does (<c>venue</c>, not <c>Venue</c>) and puts the first failure in
    /// <c>detail</c>, so that an old client reading <c>error</c> learns which field is wrong.
    /// </summary>
    private static void DescribeValidationFailure(HttpValidationProblemDetails validation)
    {
        var errors = validation.Errors.ToDictionary(
            entry => JsonNamingPolicy.CamelCase.ConvertName(entry.Key),
            entry => entry.Value.Select(message => message
                    .Replace($"The {entry.Key} field", $"Field '{JsonNamingPolicy.CamelCase.ConvertName(entry.Key)}'", StringComparison.Ordinal)
                    .Replace($"'{entry.Key}'", $"'{JsonNamingPolicy.CamelCase.ConvertName(entry.Key)}'", StringComparison.Ordinal))
                .ToArray());
        validation.Errors.Clear();
        foreach (var (field, messages) in errors)
        {
            validation.Errors[field] = messages;
        }

        if (errors.FirstOrDefault() is { Key: { } firstField, Value: [var firstMessage, ..] })
        {
            validation.Detail = firstMessage;
            validation.Extensions["code"] = "validation_failed";
            validation.Extensions["field"] = firstField;
        }
    }

    private static string CodeFor(int? status) => status switch
    {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "upstream_unavailable",
        _ when status >= 500 => "internal_error",
        _ => "error",
    };
}
