namespace AuthApp.DatabaseEmulator;

/// <summary>The emulator's settings (configuration sections <c>Database</c>, <c>Rules</c>, <c>Persistence</c>, <c>Limits</c>).</summary>
public sealed class EmulatorOptions
{
    /// <summary><c>Database:DefaultNamespace</c>: the namespace used when a request has no <c>?ns=</c>.</summary>
    public string DefaultNamespace { get; set; } = "demo-authapp-default-rtdb";

    /// <summary>
    /// <c>Rules:Path</c>: a <c>database.rules.json</c> enforced in every namespace (<c>.read</c>, <c>.write</c>,
    /// <c>.validate</c>, <c>.indexOn</c>) unless <c>/.settings/rules.json</c> replaces them; none = not judged, requests act as the owner.
    /// </summary>
    public string? RulesPath { get; set; }

    /// <summary><c>Persistence:Path</c>: a JSON file the data is saved to (write-behind) and loaded from; none = memory only.</summary>
    public string? PersistencePath { get; set; }

    /// <summary><c>Persistence:DebounceMilliseconds</c>: how long writes are gathered before the file is rewritten.</summary>
    public int PersistenceDebounceMilliseconds { get; set; } = 250;

    /// <summary><c>Limits:MaxRequestBytes</c>: larger bodies get 413.</summary>
    public long MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary><c>Streaming:KeepAliveSeconds</c>: how long a stream stays silent before a <c>keep-alive</c> event (Firebase: 30 s).</summary>
    public TimeSpan StreamKeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Streaming:MaxPendingEvents</c>: events a stream's client may fall behind before the stream is ended for it.</summary>
    public int StreamMaxPendingEvents { get; set; } = 1000;

    /// <summary>
    /// The settings from configuration; a key that is absent (or empty) keeps the default above, so each default has
    /// this class as its one owner.
    /// </summary>
    internal static EmulatorOptions From(IConfiguration configuration)
    {
        var options = new EmulatorOptions();
        options.DefaultNamespace = NonEmpty(configuration["Database:DefaultNamespace"]) ?? options.DefaultNamespace;
        options.RulesPath = NonEmpty(configuration["Rules:Path"]);
        options.PersistencePath = NonEmpty(configuration["Persistence:Path"]);
        options.PersistenceDebounceMilliseconds = configuration.GetValue("Persistence:DebounceMilliseconds", options.PersistenceDebounceMilliseconds);
        options.MaxRequestBytes = configuration.GetValue("Limits:MaxRequestBytes", options.MaxRequestBytes);
        options.StreamKeepAlive = TimeSpan.FromSeconds(configuration.GetValue("Streaming:KeepAliveSeconds", options.StreamKeepAlive.TotalSeconds));
        options.StreamMaxPendingEvents = configuration.GetValue("Streaming:MaxPendingEvents", options.StreamMaxPendingEvents);
        return options;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
