using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.RateLimiting;

/// <summary>Limits for the endpoints attackers hammer; counted in Redis, so they hold across replicas.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary><c>POST /auth/login</c> attempts per client address (IPv6: per /64).</summary>
    [ValidateObjectMembers]
    public WindowLimit Login { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Failed logins on one account from one address: a stranger guessing from one place is stopped there, and the
    /// owner, elsewhere, is not locked out. Answers that were the server's fault (503) are not counted.
    /// </summary>
    [ValidateObjectMembers]
    public WindowLimit LoginFailuresPerAccountAndAddress { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };

    /// <summary>
    /// Failed logins on one account from anywhere: the ceiling for guessing spread over many addresses. Addresses
    /// the owner has signed in from (<see cref="KnownAddressMemory"/>) are not held back by it.
    /// </summary>
    [ValidateObjectMembers]
    public WindowLimit LoginFailuresPerAccount { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromHours(1) };

    /// <summary>How long a successful login makes its address known for the account.</summary>
    [TimeSpanRange("00:01:00", "365.00:00:00")]
    public TimeSpan KnownAddressMemory { get; set; } = TimeSpan.FromDays(30);

    [ValidateObjectMembers]
    public WindowLimit Signup { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(10) };

    [ValidateObjectMembers]
    public WindowLimit Refresh { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Password-reset requests per client address.</summary>
    [ValidateObjectMembers]
    public WindowLimit AccountEmails { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };

    /// <summary>E-mails sent to one address (password reset by target e-mail; verification per signed-in user).</summary>
    [ValidateObjectMembers]
    public WindowLimit EmailsPerRecipient { get; set; } = new() { PermitLimit = 3, Window = TimeSpan.FromHours(1) };

    /// <summary>Voice commands per user: each one spends the user's own Gemini quota.</summary>
    [ValidateObjectMembers]
    public WindowLimit VoicePerUser { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>Checks every limit, nested ones included (plain data-annotation validation stops at the top level).</summary>
[OptionsValidator]
public sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;

public sealed class WindowLimit
{
    [Range(1, 100_000)]
    public int PermitLimit { get; set; }

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; }
}

/// <summary>Which proxies may tell the API the client's address through <c>X-Forwarded-For</c>.</summary>
public sealed class ReverseProxyOptions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>Addresses of trusted proxies. Empty (the default): forwarded headers are ignored.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Trusted proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> TrustedNetworks { get; set; } = [];

    public bool AnyConfigured => TrustedProxies.Count > 0 || TrustedNetworks.Count > 0;
}
