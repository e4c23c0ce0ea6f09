using AuthApp.WorkQueue;

namespace AuthApp.Domain.Jobs;

/// <summary>
/// An account e-mail action sent through Identity Toolkit outside the request. Only
/// <see cref="AccountEmailKind.PasswordReset"/> exists: e-mail verification needs the user's ID token
/// (a bearer credential), which must not sit in a queue payload, so the API keeps sending it inline.
/// </summary>
public sealed record AccountEmailJob(AccountEmailKind Kind, string Email) : IJob
{
    public static string JobType => "account.email";
}

public enum AccountEmailKind
{
    PasswordReset,
}
