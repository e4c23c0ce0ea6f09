using System.ComponentModel.DataAnnotations;

namespace AuthApp.Api.Logging;

/// <summary>The rolling log file of the original (<c>logs/app.log</c>, 10 MB x 5), beside OpenTelemetry.</summary>
public sealed class FileLoggingOptions
{
    public const string SectionName = "Logging:File";

    /// <summary>Off by default in containers, where stdout and OpenTelemetry are the way out.</summary>
    public bool? Enabled { get; set; }

    [Required]
    public string Path { get; set; } = "logs/app.log";

    [Range(1024, long.MaxValue)]
    public long FileSizeLimitBytes { get; set; } = 10 * 1024 * 1024;

    [Range(1, 1000)]
    public int RetainedFileCountLimit { get; set; } = 5;

    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;
}
