using System.Text;

namespace AuthApp.Firebase.Database;

/// <summary>Realtime Database key and path rules, checked on the client before a request goes out.</summary>
public static class DatabasePath
{
    /// <summary>The longest key the database accepts, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 768;

    private static readonly char[] ForbiddenKeyChars = ['.', '#', '$', '[', ']', '/'];

    /// <summary>
    /// Splits <paramref name="path"/> on <c>/</c> and validates every segment. A leading or trailing
    /// <c>/</c> is ignored; <c>""</c> and <c>"/"</c> are the root (no segments).
    /// </summary>
    /// <exception cref="DatabaseKeyException">A segment is empty, too long, or holds a forbidden character.</exception>
    public static string[] Split(string path, string? paramName = "path")
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        var trimmed = path.Trim('/');
        if (trimmed.Length == 0)
        {
            return [];
        }

        var segments = trimmed.Split('/');
        foreach (var segment in segments)
        {
            if (InvalidReason(segment) is { } reason)
            {
                throw new DatabaseKeyException(path, segment, reason, paramName);
            }
        }

        return segments;
    }

    /// <summary>Validates one key; throws <see cref="DatabaseKeyException"/> if the database would reject it.</summary>
    public static void ValidateKey(string key, string? paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (InvalidReason(key) is { } reason)
        {
            throw new DatabaseKeyException(key, key, reason, paramName);
        }
    }

    /// <summary>True when <paramref name="key"/> is a valid single key.</summary>
    public static bool IsValidKey(string key) => key is not null && InvalidReason(key) is null;

    /// <summary>The canonical form <c>/a/b</c> of validated segments.</summary>
    public static string Join(IReadOnlyList<string> segments) => "/" + string.Join('/', segments);

    /// <summary>Why <paramref name="key"/> is invalid, or null when it is valid.</summary>
    internal static string? InvalidReason(string key)
    {
        if (key.Length == 0)
        {
            return "keys must not be empty";
        }

        if (key.IndexOfAny(ForbiddenKeyChars) >= 0)
        {
            return "keys must not contain '.', '#', '$', '[', ']' or '/'";
        }

        foreach (var c in key)
        {
            if (c < 32 || c == 127)
            {
                return "keys must not contain ASCII control characters";
            }
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"keys must not be longer than {MaxKeyBytes} UTF-8 bytes";
        }

        return null;
    }
}
