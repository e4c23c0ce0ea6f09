using System.ComponentModel.DataAnnotations;

namespace AuthApp.Api.Caching;

public sealed class CachingOptions
{
    public const string SectionName = "Caching";

    /// <summary>How long a user's profile and schedule reads are served from the output cache.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProfileDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the record behind the verifiedAccess rule is cached in Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AccessRecordDuration { get; set; } = TimeSpan.FromSeconds(60);
}
