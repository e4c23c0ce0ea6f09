using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Database;

/// <summary>
/// Turns response bytes into <see cref="JsonNode"/>s that are safe to hand out. <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>
/// checks the syntax but decodes strings lazily, so invalid UTF-8 or a lone surrogate (<c>"\ud800"</c>) would surface
/// later as an <see cref="InvalidOperationException"/> in whichever caller first reads that string; here every string
/// and property name is checked up front (and no object may repeat a name) and any failure becomes <see cref="DatabaseErrorKind.InvalidResponse"/>.
/// </summary>
internal static class ResponseJson
{
    /// <summary>Deeper than the database stores (32 levels), shallow enough that no parser recursion is a risk.</summary>
    public const int MaxDepth = 64;

    private const int StackScratchBytes = 256;

    public static JsonReaderOptions ReaderOptions => new() { MaxDepth = MaxDepth };

    /// <summary>The value <paramref name="json"/> holds; null for an empty body or JSON <c>null</c>.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> json, ILogger logger, string method, string path)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    EnsureDecodable(ref reader);
                }
            }

            // A repeated property name would otherwise surface as an ArgumentException when the object is first read.
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw ResponseFailures.Invalid(logger, method, path, e);
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> unless the current string token decodes to valid text.</summary>
    private static void EnsureDecodable(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            if (!Utf8.IsValid(raw))
            {
                throw new InvalidOperationException("A string in the response is not valid UTF-8.");
            }

            return;
        }

        // Unescaping checks both the raw bytes and the \u escapes; it never needs more room than the escaped form.
        byte[]? rented = null;
        Span<byte> scratch = raw.Length <= StackScratchBytes ? stackalloc byte[StackScratchBytes] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            reader.CopyString(scratch);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

/// <summary>The failures of reading an answer, each logged once where it is detected (a streamed read cannot be wrapped in a catch).</summary>
internal static partial class ResponseFailures
{
    /// <param name="what">What exceeded <paramref name="maxBytes"/>: the answer, or a single value in a streamed one.</param>
    public static DatabaseException TooLarge(ILogger logger, string method, string path, long maxBytes, string what = "the answer")
    {
        LogTooLarge(logger, method, path, what, maxBytes);
        return new DatabaseException(
            DatabaseErrorKind.ResponseTooLarge,
            $"Realtime Database {method} of '{path}' failed: {what} is larger than {maxBytes} bytes.")
        { Path = path };
    }

    public static DatabaseException Invalid(ILogger logger, string method, string path, Exception cause)
    {
        LogInvalid(logger, method, path, cause.GetType().Name);
        return new DatabaseException(
            DatabaseErrorKind.InvalidResponse,
            $"Realtime Database {method} of '{path}' failed: the answer is not valid JSON text ({cause.Message}).",
            cause)
        { Path = path };
    }

    public static DatabaseException BodyUnavailable(ILogger logger, string method, string path, TimeSpan budget, Exception cause)
    {
        LogBodyUnavailable(logger, method, path, cause.GetType().Name);
        return new DatabaseException(
            DatabaseErrorKind.Unavailable,
            $"Realtime Database {method} of '{path}' failed: the answer broke off or did not arrive within {budget.TotalSeconds:0.###} s ({cause.GetType().Name}).",
            cause)
        { Path = path };
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "RTDB {Method} {Path}: {What} exceeds {MaxBytes} bytes and was not read")]
    private static partial void LogTooLarge(ILogger logger, string method, string path, string what, long maxBytes);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "RTDB {Method} {Path}: the answer is not valid JSON text ({Failure})")]
    private static partial void LogInvalid(ILogger logger, string method, string path, string failure);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "RTDB {Method} {Path}: the answer's body broke off or came too slowly ({Failure})")]
    private static partial void LogBodyUnavailable(ILogger logger, string method, string path, string failure);
}
