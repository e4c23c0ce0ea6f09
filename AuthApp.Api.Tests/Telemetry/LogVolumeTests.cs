using System.Net;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Telemetry;

/// <summary>
/// At the levels that ship (<c>Logging:LogLevel</c> as <c>appsettings.json</c> and the services' defaults leave it), a
/// request that succeeds writes nothing: no library's per-operation line (FusionCache's "FUSION ... FEO[...]", Polly's
/// per attempt, ASP.NET Core's per request) in any sink, the rolling file included. Under load a line per request was
/// most of a replica's CPU and tens of megabytes a minute of file.
/// </summary>
public sealed class LogVolumeTests(ApiDependencies dependencies) : IDisposable
{
    private const int Requests = 200;

    private readonly string _directory = Directory.CreateTempSubdirectory("authapp-log-volume-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cached_profile_requests_write_no_log_line_per_request_at_the_shipped_levels()
    {
        // The factory quiets every test to Warning; this one runs at the levels users get.
        await using var api = CreateApi(("Logging:LogLevel:Default", null));
        using var user = await api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        await GetProfileAsync(user);
        var recordsBefore = api.Logs.Count;
        var linesBefore = FileLines().Count;

        for (var i = 0; i < Requests; i++)
        {
            await GetProfileAsync(user);
        }

        var records = api.Logs.GetSnapshot().Skip(recordsBefore).ToList();
        var lines = FileLines().Skip(linesBefore).ToList();
        Assert.True(records.Count < Requests / 10,
            $"{Requests} cached profile requests logged {records.Count} events:\n{string.Join('\n', records.Take(20).Select(record => $"{record.Level} {record.Category}: {record.Message}"))}");
        Assert.True(lines.Count < Requests / 10,
            $"{Requests} cached profile requests wrote {lines.Count} lines to the file:\n{string.Join('\n', lines.Take(20))}");
        // The file is written, at Information: the signup said so.
        Assert.Contains(FileLines().Take(linesBefore), line => line.Contains("signed up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_level_set_in_configuration_overrides_a_library_default_in_the_file_too()
    {
        await using var api = CreateApi(("Logging:LogLevel:Default", null), ("Logging:LogLevel:ZiggyCreatures.Caching.Fusion", "Information"));
        using var user = await api.SignUpAsync();
        await GetProfileAsync(user);
        var linesBefore = FileLines().Count;

        for (var i = 0; i < 20; i++)
        {
            await GetProfileAsync(user);
        }

        Assert.True(FileLines().Skip(linesBefore).Count(line => line.Contains("FUSION", StringComparison.Ordinal)) >= 20,
            "FusionCache's per-operation lines, asked for in Logging:LogLevel, reached the file");
        Assert.Contains(api.Logs.GetSnapshot(), record => record.Category?.StartsWith("ZiggyCreatures.Caching.Fusion", StringComparison.Ordinal) == true && record.Level == LogLevel.Information);
    }

    private ApiFactory CreateApi(params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Logging:File:Enabled"] = "true",
            ["Logging:File:Path"] = Path.Combine(_directory, "app.log"),
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new ApiFactory(dependencies, settings: all);
    }

    private static async Task GetProfileAsync(ApiUser user)
    {
        using var response = await user.Client.GetAsync("/auth/profile", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Every line of every file the rolling log has written so far (read while the API still writes to them).</summary>
    private List<string> FileLines()
    {
        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.log").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
