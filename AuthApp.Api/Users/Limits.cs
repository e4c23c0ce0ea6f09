using AuthApp.Api.Errors;

namespace AuthApp.Api.Users;

/// <summary>The answer when a write would take a user past one of <see cref="Domain.Users.UserDataLimits"/>.</summary>
public static class Limits
{
    public static AppError Exceeded(string field, string message) => AppError.BadRequest("limit_exceeded", message, field);
}
