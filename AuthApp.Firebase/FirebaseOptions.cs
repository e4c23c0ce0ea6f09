using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;

namespace AuthApp.Firebase;

/// <summary>
/// Settings for every Firebase API the library speaks, bound from the <c>Firebase</c>
/// configuration section. Emulator hosts may also come from the standard environment
/// variables <c>FIREBASE_AUTH_EMULATOR_HOST</c> and <c>FIREBASE_DATABASE_EMULATOR_HOST</c>.
/// </summary>
public sealed class FirebaseOptions
{
    public const string SectionName = "Firebase";

    /// <summary>The Firebase / Google Cloud project id; the <c>aud</c> of every ID token.</summary>
    [Required]
    [RegularExpression("^[a-z][a-z0-9-]{3,61}[a-z0-9]$", ErrorMessage = "Firebase:ProjectId is not a valid project id.")]
    public string ProjectId { get; set; } = "";

    /// <summary>The web API key used by the client-facing Identity Toolkit calls (sign up, sign in).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The Realtime Database URL, e.g. <c>https://my-project-default-rtdb.firebaseio.com</c>.</summary>
    public Uri? DatabaseUrl { get; set; }

    /// <summary>Path to a service-account JSON file.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>The service-account JSON itself (a secret, e.g. from an AppHost parameter).</summary>
    public string? CredentialsJson { get; set; }

    /// <summary><c>host:port</c> of the Auth emulator; when set, every auth call goes there.</summary>
    public string? AuthEmulatorHost { get; set; }

    /// <summary><c>host:port</c> of a Realtime Database emulator; when set, every database call goes there.</summary>
    public string? DatabaseEmulatorHost { get; set; }

    /// <summary>How push notifications are delivered.</summary>
    public MessagingMode Messaging { get; set; } = MessagingMode.Fcm;

    /// <summary>Timeout of a single HTTP attempt to a Firebase API.</summary>
    [TimeSpanRange("00:00:00.100", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for one logical call including its retries.</summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First retry back-off (doubled for each further attempt, with jitter); the original used 1 s.</summary>
    [TimeSpanRange("00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for: the call fails as unavailable at once.</summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Allowed clock difference when checking <c>exp</c>, <c>iat</c> and <c>auth_time</c> of ID tokens.</summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The OpenID Connect metadata that names the keys signing ID tokens. Unset (the default): Google's,
    /// <c>https://securetoken.google.com/{ProjectId}/.well-known/openid-configuration</c>. Only tests and
    /// benchmarks set it, to a local key endpoint: Development only, and plain HTTP only on loopback.
    /// </summary>
    public Uri? IdTokenMetadataAddress { get; set; }

    /// <summary>
    /// Accept the Auth emulator's unsigned (<c>alg: none</c>) ID tokens. Anyone can mint such a token for any
    /// user, so this is refused at start-up outside Development and unless <see cref="AuthEmulatorHost"/> is on loopback.
    /// </summary>
    public bool AcceptEmulatorTokens { get; set; }

    /// <summary>
    /// The most bytes the database client buffers for one answer (a read, the current value a 412 returns, an error
    /// body). Clients and devices write their own part of the database, so one tenant can make any location huge;
    /// a larger answer fails with <c>DatabaseErrorKind.ResponseTooLarge</c> instead of raising this process's memory
    /// by whatever that tenant stored. Streamed reads hold one child at a time and use it as the cap of a single
    /// JSON token (the database's own limit for a string is 10 MB).
    /// </summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How many verified ID tokens each process remembers (never past their expiry); 0 turns the cache off.</summary>
    [Range(0, 1_000_000)]
    public int VerifiedTokenCacheSize { get; set; } = 4096;

    /// <summary>Base address of FCM HTTP v1 (tests point it at a local server).</summary>
    public Uri MessagingBaseUrl { get; set; } = new("https://fcm.googleapis.com/");

    public bool UsesAuthEmulator => !string.IsNullOrWhiteSpace(AuthEmulatorHost);

    public bool UsesDatabaseEmulator => !string.IsNullOrWhiteSpace(DatabaseEmulatorHost);

    /// <summary>Where the ID-token signing keys are discovered: <see cref="IdTokenMetadataAddress"/>, else Google's.</summary>
    public Uri SigningKeysMetadataAddress =>
        IdTokenMetadataAddress ?? new Uri($"https://securetoken.google.com/{ProjectId}/.well-known/openid-configuration");
}

public enum MessagingMode
{
    /// <summary>Send through FCM HTTP v1.</summary>
    Fcm,

    /// <summary>Write each notification to the log instead of sending it (local runs).</summary>
    Log,
}
