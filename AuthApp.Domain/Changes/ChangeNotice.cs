using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AuthApp.Domain.Changes;

/// <summary>Who changed a user's data, as a live stream tells the user.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChangeSource>))]
public enum ChangeSource
{
    /// <summary>A request to the API.</summary>
    [JsonStringEnumMemberName("api")]
    Api,

    /// <summary>The worker, firing a schedule.</summary>
    [JsonStringEnumMemberName("schedule")]
    Schedule,

    /// <summary>Nobody announced it: a device or client wrote to the database itself (or the announcement was lost).</summary>
    [JsonStringEnumMemberName("direct")]
    Direct,
}

/// <summary>
/// What a host announces on a user's change channel once its write landed: the values it wrote (paths relative to
/// <c>users/{uid}</c>, <c>""</c> for the whole record; a null value removed the location) and the occurrences it
/// skipped. The live streams interpret it (<c>AuthApp.Api/Events</c>); whoever reads it treats it as untrusted input,
/// like everything else that crosses Redis.
/// </summary>
public sealed record ChangeNotice(
    ChangeSource Source,
    IReadOnlyList<WrittenValue> Writes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SkippedOccurrence>? Skipped = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 64 };

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The notice in <paramref name="payload"/>, or null when it is not one (never throws).</summary>
    public static ChangeNotice? Parse(ReadOnlySpan<byte> payload)
    {
        try
        {
            var notice = JsonSerializer.Deserialize<ChangeNotice>(payload, Json);
            return notice is { Writes: not null } && notice.Writes.All(write => write.Path is not null)
                && (notice.Skipped ?? []).All(skip => skip.Venue is not null && skip.Device is not null)
                ? notice
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One value a host wrote, at <paramref name="Path"/> relative to the user's record.</summary>
public sealed record WrittenValue(string Path, JsonNode? Value);

/// <summary>An occurrence of the schedule of <paramref name="Device"/> in <paramref name="Venue"/> the worker skipped (too late to fire).</summary>
public sealed record SkippedOccurrence(string Venue, string Device, DateTimeOffset Occurrence);
