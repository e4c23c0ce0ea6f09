using System.ComponentModel.DataAnnotations;

namespace AuthApp.Api.Logging;

/// <summary>
/// The rolling log file of the original (<c>logs/app.log</c>, 10 MB x 5), beside OpenTelemetry. What it receives is
/// decided where it is for every other sink, by <c>Logging:LogLevel</c>: this section says only where and how much.
/// </summary>
public sealed class FileLoggingOptions
{
    public const string SectionName = "Logging:File";

    /// <summary>Unset: on, except in a container, where stdout and OpenTelemetry are the way out.</summary>
    public bool? Enabled { get; set; }

    [Required]
    public string Path { get; set; } = "logs/app.log";

    [Range(1024, long.MaxValue)]
    public long FileSizeLimitBytes { get; set; } = 10 * 1024 * 1024;

    [Range(1, 1000)]
    public int RetainedFileCountLimit { get; set; } = 5;

    /// <summary>Whether the file is written: <see cref="Enabled"/>, or when unset, outside a container only.</summary>
    public bool IsEnabled(bool inContainer) => Enabled ?? !inContainer;

    /// <summary>
    /// The file of one replica: <c>{replica}</c> in <see cref="Path"/> is replaced by the replica's name; without
    /// it, the name goes before the extension (<c>logs/app.log</c> becomes <c>logs/app-0.log</c>). With no replica
    /// name (a single process, a container with its own file system) the path is used as it is.
    /// </summary>
    public string PathFor(string? replica)
    {
        if (string.IsNullOrWhiteSpace(replica))
        {
            return Path.Replace("{replica}", "", StringComparison.Ordinal);
        }

        if (Path.Contains("{replica}", StringComparison.Ordinal))
        {
            return Path.Replace("{replica}", replica, StringComparison.Ordinal);
        }

        var extension = System.IO.Path.GetExtension(Path);
        return string.Concat(Path.AsSpan(0, Path.Length - extension.Length), "-", replica, extension);
    }
}
