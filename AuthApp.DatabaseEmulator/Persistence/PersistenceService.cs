using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Persistence;

/// <summary>
/// Write-behind persistence: after a write, waits <see cref="EmulatorOptions.PersistenceDebounceMilliseconds"/>
/// to gather more, then rewrites the whole file atomically (temp file + rename). Flushes on shutdown.
/// File format: <c>{"namespaces": {"&lt;ns&gt;": &lt;tree&gt;}}</c>.
/// </summary>
internal sealed partial class PersistenceService : BackgroundService
{
    private readonly DatabaseStore _store;
    private readonly string _path;
    private readonly TimeSpan _debounce;
    private readonly ILogger<PersistenceService> _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private int _dirty;

    public PersistenceService(DatabaseStore store, EmulatorOptions options, ILogger<PersistenceService> logger)
    {
        _store = store;
        _path = Path.GetFullPath(options.PersistencePath!);
        _debounce = TimeSpan.FromMilliseconds(Math.Max(0, options.PersistenceDebounceMilliseconds));
        _logger = logger;
        _store.Changed += OnChanged;
    }

    /// <summary>Loads a saved file into <paramref name="store"/>; a missing file is an empty database.</summary>
    public static void Load(DatabaseStore store, string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var saved = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject;
        if (saved?["namespaces"] is not JsonObject namespaces)
        {
            throw new InvalidDataException($"{path} is not an emulator data file ({{\"namespaces\": {{...}}}}).");
        }

        foreach (var (name, tree) in namespaces)
        {
            var database = store.Get(name);
            lock (database.Sync)
            {
                database.Root = JsonTree.Normalize(tree, null, 0);
            }
        }
    }

    private void OnChanged()
    {
        Interlocked.Exchange(ref _dirty, 1);
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another writer signalled first; one save covers both.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _signal.WaitAsync(stoppingToken);
                await Task.Delay(_debounce, stoppingToken);
                SaveIfDirty();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync flushes.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        SaveIfDirty();
    }

    public override void Dispose()
    {
        _store.Changed -= OnChanged;
        _signal.Dispose();
        base.Dispose();
    }

    internal void SaveIfDirty()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0)
        {
            return;
        }

        try
        {
            var temp = _path + ".tmp";
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using (var file = File.Create(temp))
            using (var writer = new Utf8JsonWriter(file))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("namespaces");
                foreach (var database in _store.All)
                {
                    byte[] tree;
                    lock (database.Sync)
                    {
                        tree = JsonTree.Serialize(database.Root);
                    }

                    writer.WritePropertyName(database.Name);
                    writer.WriteRawValue(tree, skipInputValidation: true);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            File.Move(temp, _path, overwrite: true);
            LogSaved(_logger, _path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Interlocked.Exchange(ref _dirty, 1);
            LogSaveFailed(_logger, ex, _path);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Saved the database to {Path}")]
    private static partial void LogSaved(ILogger logger, string path);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Could not save the database to {Path}")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string path);
}
