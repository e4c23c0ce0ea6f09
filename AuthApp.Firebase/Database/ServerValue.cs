using System.Text.Json.Nodes;

namespace AuthApp.Firebase.Database;

/// <summary>Placeholders the database replaces with server-side values when it writes them.</summary>
public static class ServerValue
{
    /// <summary><c>{".sv": "timestamp"}</c>: the server's time in milliseconds since the Unix epoch.</summary>
    public static JsonObject Timestamp() => new() { [".sv"] = "timestamp" };

    /// <summary><c>{".sv": {"increment": delta}}</c>: adds <paramref name="delta"/> to the stored number (or to 0).</summary>
    public static JsonObject Increment(long delta) => new() { [".sv"] = new JsonObject { ["increment"] = delta } };
}
