namespace AuthApp.Api.RateLimiting;

public static class RateLimitPolicies
{
    public const string Login = "login";
    public const string Signup = "signup";
    public const string Refresh = "refresh";
    public const string AccountEmails = "account-emails";
    public const string VerificationEmails = "verification-emails";
    public const string Voice = "voice";
}
