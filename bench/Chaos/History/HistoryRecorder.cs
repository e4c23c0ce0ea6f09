using System.Collections.Concurrent;
using System.Text.Json;

namespace AuthApp.Bench.Chaos.History;

/// <summary>
/// Collects every record of a run, in memory and as JSON lines in the history file, with the run's clock: the
/// milliseconds since <see cref="StartedAt"/>, from one monotonic timestamp.
/// </summary>
public sealed class HistoryRecorder : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly TimeProvider _clock;
    private readonly long _started;
    private readonly ConcurrentQueue<HistoryRecord> _records = new();
    private readonly StreamWriter _file;
    private long _sequence;

    public HistoryRecorder(TimeProvider clock, string path)
    {
        _clock = clock;
        _started = clock.GetTimestamp();
        StartedAt = clock.GetUtcNow();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _file = new StreamWriter(path, append: false);
        Path = path;
    }

    public string Path { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Milliseconds since the run started.</summary>
    public double NowMs => _clock.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>The wall-clock time of a point of the run's clock.</summary>
    public DateTimeOffset At(double ms) => StartedAt.AddMilliseconds(ms);

    /// <summary>The run's clock at a wall-clock time.</summary>
    public double MsOf(DateTimeOffset at) => (at - StartedAt).TotalMilliseconds;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public IReadOnlyCollection<HistoryRecord> Records => _records;

    public void Add(HistoryRecord record)
    {
        _records.Enqueue(record);
        var line = JsonSerializer.Serialize(record, Json);
        lock (_file)
        {
            _file.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_file)
        {
            _file.Dispose();
        }
    }

    /// <summary>Reads a history file back (the checker can judge a recorded run again).</summary>
    public static IReadOnlyList<HistoryRecord> Read(string path) =>
        [.. File.ReadLines(path).Where(line => line.Length > 0).Select(line => JsonSerializer.Deserialize<HistoryRecord>(line, Json)!)];
}
