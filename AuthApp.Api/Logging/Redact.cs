namespace AuthApp.Api.Logging;

/// <summary>Shapes of personal data that may appear in a log line.</summary>
public static class Redact
{
    /// <summary><c>jane.doe@example.com</c> becomes <c>j***@example.com</c>: enough to tell accounts apart, not to mail them.</summary>
    public static string Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return "(none)";
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : $"{email[0]}***{email[at..]}";
    }
}
