using System.Text.Json.Nodes;

namespace AuthApp.Firebase.Database;

/// <summary>What a <see cref="DatabaseStreamEvent"/> says about the listened location.</summary>
public enum DatabaseStreamEventKind
{
    /// <summary>The value at <see cref="DatabaseStreamEvent.Path"/> is now <see cref="DatabaseStreamEvent.Data"/> (null: deleted).</summary>
    Put,

    /// <summary>The children of <see cref="DatabaseStreamEvent.Data"/> were written under <see cref="DatabaseStreamEvent.Path"/>, its other children left as they were.</summary>
    Patch,

    /// <summary>Nothing changed; the database says the stream is still open (Firebase: every 30 s of silence).</summary>
    KeepAlive,
}

/// <summary>
/// One event of <see cref="IFirebaseDatabase.ListenAsync"/>. <paramref name="Path"/>: the changed location relative to
/// the listened one, "/"-prefixed as the wire gives it ("/" = the whole location; a keep-alive's is "/").
/// <paramref name="Data"/>: the value written there, unparented; null for a deletion and a keep-alive.
/// </summary>
public sealed record DatabaseStreamEvent(DatabaseStreamEventKind Kind, string Path, JsonNode? Data);
