using System.Text.Json;
using AuthApp.Api.Users;
using AuthApp.Domain.Users;
using AuthApp.Firebase;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;
using AuthApp.Redis;
using Microsoft.AspNetCore.Diagnostics;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Api.Errors;

/// <summary>
/// Turns every exception into a problem response. Expected failures keep their own words; anything
/// else is logged with its trace id and answered with a generic 500, so no internal text reaches a client.
/// </summary>
internal sealed partial class AppExceptionHandler(ILogger<AppExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var error = Translate(exception, context.RequestAborted);
        if (error.Status == StatusCodes.Status503ServiceUnavailable)
        {
            // A dependency is down: worth a warning, not a stack trace per request.
            LogUnavailable(logger, exception.GetType().Name, exception.Message);
        }
        else if (error.Status >= 500)
        {
            // The exception's type and message are for operators; Firebase messages never hold secrets.
            LogServerError(logger, exception.GetType().Name, error.Code, exception);
        }

        await context.WriteProblemAsync(error);
        return true;
    }

    /// <param name="requestAborted">The request's own cancellation: a cancellation it did not ask for is a dependency giving up.</param>
    private static AppError Translate(Exception exception, CancellationToken requestAborted) => exception switch
    {
        AppError appError => appError,
        BadHttpRequestException badRequest => FromBadRequest(badRequest),
        FirebaseAuthException auth => FromAuth(auth.Code),
        DatabaseKeyException => AppError.BadRequest(ProblemCodes.InvalidKey, "A name must be non-empty and must not contain . # $ [ ] / or control characters."),
        UserDataTooLargeException { TooLarge: true } tooLarge => DataTooLarge(tooLarge.Subtree),
        UserDataTooLargeException unreadable => DataUnreadable(unreadable.Subtree),
        // Any other read of data a client wrote past what the service reads, or into something it cannot read.
        DatabaseException { Kind: DatabaseErrorKind.ResponseTooLarge } => DataTooLarge("stored"),
        DatabaseException { Kind: DatabaseErrorKind.InvalidResponse } => DataUnreadable("stored"),
        DatabaseException { Kind: DatabaseErrorKind.Unavailable or DatabaseErrorKind.TooManyRequests } database =>
            AppError.Unavailable("The database is unavailable; try again shortly.", database.RetryAfter ?? TimeSpan.FromSeconds(5)),
        FirebaseServiceUnavailableException unavailable =>
            AppError.Unavailable("The authentication or database service is unavailable; try again shortly.", unavailable.RetryAfter ?? TimeSpan.FromSeconds(5)),
        FusionCacheFactoryException { InnerException: { } inner } => Translate(inner, requestAborted),
        // Redis calls time out after a second; the cache gives up on Firebase after Caching:UpstreamTimeout.
        SyntheticTimeoutException => DependencyUnavailable(),
        _ when exception.IsRedisOutageOrUnaskedCancellation(requestAborted) => DependencyUnavailable(),
        _ => AppError.Internal(),
    };

    private static AppError DependencyUnavailable() =>
        AppError.Unavailable("A service the API depends on is unavailable; try again shortly.", TimeSpan.FromSeconds(2));

    private static AppError DataTooLarge(string subtree) => AppError.Unprocessable(ProblemCodes.DataTooLarge,
        $"Your {subtree} data is larger than the service serves; delete some of it and try again.");

    private static AppError DataUnreadable(string subtree) => AppError.Unprocessable(ProblemCodes.DataUnreadable,
        $"Your {subtree} data cannot be read; delete it and try again.");

    private static AppError FromBadRequest(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new AppError(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The request body is too large.");
        }

        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return new AppError(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).");
        }

        return exception.InnerException switch
        {
            // The serializer wraps the reader's own exception when the text is not JSON at all; a bare
            // JsonException with a path is a member of the wrong type.
            JsonException { InnerException: JsonException } => MalformedJson(),
            JsonException { Path: { Length: > 2 } path } => FieldErrors.WrongType(path),
            JsonException => MalformedJson(),
            _ when exception.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase) =>
                AppError.BadRequest(ProblemCodes.MissingBody, "A JSON request body is required."),
            _ => AppError.BadRequest(ProblemCodes.InvalidRequest, "The request could not be read."),
        };
    }

    private static AppError MalformedJson() => AppError.BadRequest(ProblemCodes.MalformedJson, "The request body is not valid JSON.");

    /// <summary>How the API answers each refusal of Firebase Auth; signup answers an e-mail taken the same way.</summary>
    internal static AppError FromAuth(AuthErrorCode code) => code switch
    {
        AuthErrorCode.EmailExists => AppError.Conflict(ProblemCodes.EmailExists, "An account with this email already exists."),
        AuthErrorCode.InvalidPassword or AuthErrorCode.EmailNotFound or AuthErrorCode.InvalidLoginCredentials =>
            AppError.Unauthorized(ProblemCodes.InvalidCredentials, "Invalid email or password."),
        AuthErrorCode.UserDisabled => AppError.Forbidden(ProblemCodes.UserDisabled, "This account has been disabled."),
        AuthErrorCode.WeakPassword => AppError.BadRequest(ProblemCodes.WeakPassword, "Password should be at least 6 characters.", "password"),
        AuthErrorCode.InvalidEmail or AuthErrorCode.MissingEmail => AppError.BadRequest(ProblemCodes.InvalidEmail, "The email address is not valid.", "email"),
        AuthErrorCode.MissingPassword => FieldErrors.Missing("password"),
        AuthErrorCode.TokenExpired or AuthErrorCode.InvalidRefreshToken or AuthErrorCode.MissingRefreshToken
            or AuthErrorCode.InvalidIdToken or AuthErrorCode.IdTokenExpired or AuthErrorCode.IdTokenInvalid
            or AuthErrorCode.IdTokenRevoked or AuthErrorCode.CredentialTooOldLoginAgain or AuthErrorCode.UserNotFound =>
            AppError.Unauthorized(ProblemCodes.InvalidToken, "The session is invalid or has expired; sign in again."),
        AuthErrorCode.TooManyAttempts or AuthErrorCode.QuotaExceeded or AuthErrorCode.ResetPasswordExceedLimit =>
            AppError.TooManyRequests(ProblemCodes.RateLimited, "Too many attempts; try again later.", TimeSpan.FromSeconds(60)),
        _ => AppError.Internal(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dependency is unavailable ({ExceptionType}: {Reason}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed with {ExceptionType}; answered {Code}")]
    private static partial void LogServerError(ILogger logger, string exceptionType, string code, Exception exception);
}
