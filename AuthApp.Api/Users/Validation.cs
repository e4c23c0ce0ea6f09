using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using AuthApp.Api.Errors;
using AuthApp.Api.Voice;
using AuthApp.Domain.Users;

namespace AuthApp.Api.Users;

/// <summary>
/// Every 400 that names a request field, in one wording: <c>Field 'name' must be ...</c>. The request records'
/// attributes (below, and the built-in ones, reworded by <see cref="Describe"/>) refuse what a field can be judged by
/// alone, answered as <c>validation_failed</c> by the endpoints; the services refuse what needs more (a time, a zone the
/// runtime must know, a count of what is stored) with the factories here, under their own codes.
/// </summary>
public static class FieldErrors
{
    /// <summary>The time-of-day rule, as <see cref="Domain.Schedules.ScheduleTime"/> reads it.</summary>
    public const string TimeRule = "a time of day such as \"07:30 AM\" or \"19:30\"";

    /// <summary>The time-zone rule, as <see cref="Domain.Schedules.TimeZones"/> reads it.</summary>
    public const string TimeZoneRule = "an IANA time zone such as Europe/Paris";

    /// <summary>The message of a field that breaks <paramref name="rule"/>; <c>{0}</c> is the field, as attributes format it.</summary>
    public static string MustBe(string rule) => "Field '{0}' must be " + rule + ".";

    /// <summary><paramref name="field"/> breaks <paramref name="rule"/>: the endpoints' <c>validation_failed</c>, for a service that checks again.</summary>
    public static AppError Invalid(string field, string rule) =>
        AppError.BadRequest(ProblemCodes.ValidationFailed, Message(field, rule), field);

    public static AppError InvalidTime() => AppError.BadRequest(ProblemCodes.InvalidTime, Message("time", TimeRule), "time");

    /// <summary>A zone the runtime does not know as an IANA zone: for a schedule's zone and the user's alike.</summary>
    public static AppError InvalidTimeZone() => AppError.BadRequest(ProblemCodes.InvalidTimeZone, Message("timeZone", TimeZoneRule), "timeZone");

    public static AppError InvalidSensor(int index) =>
        AppError.BadRequest(ProblemCodes.InvalidSensor, Message($"sensors[{index}]", Names.Rule), $"sensors[{index}]");

    /// <summary>A write that would take a user past one of <see cref="UserDataLimits"/>.</summary>
    public static AppError LimitExceeded(string field, string message) => AppError.BadRequest(ProblemCodes.LimitExceeded, message, field);

    /// <summary>A body member the serializer could not read as its type (a JSON path such as <c>$.sensors[2]</c>).</summary>
    public static AppError WrongType(string jsonPath)
    {
        // "$.venue" -> "venue"; "$.sensors[2]" -> "sensors[2]".
        var field = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        return AppError.BadRequest(ProblemCodes.InvalidField, $"Field '{field}' has the wrong type or format.", field);
    }

    public static AppError Missing(string field) => AppError.BadRequest(ProblemCodes.MissingField, $"Field '{field}' is required.", field);

    /// <summary>
    /// The endpoints' validation problem, worded as the rest: fields named as the JSON names them (<c>venue</c>, not
    /// <c>Venue</c>), built-in messages as <c>Field 'venue' ...</c>, and the first failure in <c>detail</c> with its
    /// <c>field</c>, so that an old client reading <c>error</c> learns which field is wrong.
    /// </summary>
    internal static void Describe(HttpValidationProblemDetails validation)
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
            validation.Extensions["code"] = ProblemCodes.ValidationFailed;
            validation.Extensions["field"] = firstField;
        }
    }

    private static string Message(string field, string rule) => string.Format(null, MustBe(rule), field);
}

/// <summary>
/// A text field judged by one rule, refused in <see cref="FieldErrors"/>' wording. Absence is <c>[Required]</c>'s to
/// report; anything but text is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public abstract class TextRuleAttribute(string rule, Func<string, bool> isValid) : ValidationAttribute(FieldErrors.MustBe(rule))
{
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        string text => isValid(text),
        _ => false,
    };
}

/// <summary>A venue, device or sensor name (<see cref="Names"/>): it becomes a database key.</summary>
public sealed class DatabaseKeyAttribute() : TextRuleAttribute(Names.Rule, Names.IsValid);

/// <summary>A device state (<see cref="DeviceValues"/>): <c>on</c>, <c>off</c> or a level <c>1</c>..<c>5</c>.</summary>
public sealed class DeviceValueAttribute() : TextRuleAttribute("one of on, off, 1, 2, 3, 4, 5", DeviceValues.IsAllowed);

/// <summary>A Gemini API key that <see cref="VoiceKeys.IsSendable"/> once surrounding whitespace is trimmed.</summary>
public sealed class GeminiApiKeyAttribute() : TextRuleAttribute(VoiceKeys.Rule, key => VoiceKeys.IsSendable(VoiceKeys.Normalize(key)));
