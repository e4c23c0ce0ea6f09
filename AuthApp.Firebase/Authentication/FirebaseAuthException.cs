using System.Net;

namespace AuthApp.Firebase.Authentication;

/// <summary>An Identity Toolkit or ID-token failure; <see cref="Code"/> says which.</summary>
public sealed class FirebaseAuthException : FirebaseException
{
    public FirebaseAuthException(AuthErrorCode code, string message, HttpStatusCode? statusCode = null, string? serverCode = null, Exception? innerException = null)
        : base(message, statusCode, serverCode, innerException)
    {
        Code = code;
    }

    public AuthErrorCode Code { get; }
}

/// <summary>Identity Toolkit error codes (and the ID-token verification failures) as an enum.</summary>
public enum AuthErrorCode
{
    Unknown = 0,

    // Identity Toolkit / secure token errors.
    EmailExists,
    InvalidPassword,
    EmailNotFound,
    InvalidLoginCredentials,
    UserDisabled,
    TokenExpired,
    InvalidIdToken,
    UserNotFound,
    InvalidRefreshToken,
    MissingRefreshToken,
    InvalidGrantType,
    WeakPassword,
    TooManyAttempts,
    OperationNotAllowed,
    InvalidEmail,
    MissingEmail,
    MissingPassword,
    CredentialTooOldLoginAgain,
    CredentialMismatch,
    InvalidCustomToken,
    InvalidApiKey,
    ProjectNotFound,
    DuplicateLocalId,
    MissingLocalId,
    InvalidOobCode,
    ExpiredOobCode,
    ResetPasswordExceedLimit,
    QuotaExceeded,
    InvalidClaims,
    ClaimsTooLarge,
    ForbiddenClaim,
    InvalidArgument,
    InsufficientPermission,
    Unauthenticated,

    // Local ID-token verification.
    IdTokenInvalid,
    IdTokenExpired,
    IdTokenRevoked,
}

internal static class AuthErrors
{
    private static readonly Dictionary<string, AuthErrorCode> Codes = new(StringComparer.Ordinal)
    {
        ["EMAIL_EXISTS"] = AuthErrorCode.EmailExists,
        ["INVALID_PASSWORD"] = AuthErrorCode.InvalidPassword,
        ["EMAIL_NOT_FOUND"] = AuthErrorCode.EmailNotFound,
        ["INVALID_LOGIN_CREDENTIALS"] = AuthErrorCode.InvalidLoginCredentials,
        ["USER_DISABLED"] = AuthErrorCode.UserDisabled,
        ["TOKEN_EXPIRED"] = AuthErrorCode.TokenExpired,
        ["INVALID_ID_TOKEN"] = AuthErrorCode.InvalidIdToken,
        ["MISSING_ID_TOKEN"] = AuthErrorCode.InvalidIdToken,
        ["USER_NOT_FOUND"] = AuthErrorCode.UserNotFound,
        ["INVALID_REFRESH_TOKEN"] = AuthErrorCode.InvalidRefreshToken,
        ["MISSING_REFRESH_TOKEN"] = AuthErrorCode.MissingRefreshToken,
        ["INVALID_GRANT_TYPE"] = AuthErrorCode.InvalidGrantType,
        ["WEAK_PASSWORD"] = AuthErrorCode.WeakPassword,
        ["TOO_MANY_ATTEMPTS_TRY_LATER"] = AuthErrorCode.TooManyAttempts,
        ["OPERATION_NOT_ALLOWED"] = AuthErrorCode.OperationNotAllowed,
        ["PASSWORD_LOGIN_DISABLED"] = AuthErrorCode.OperationNotAllowed,
        ["INVALID_EMAIL"] = AuthErrorCode.InvalidEmail,
        ["MISSING_EMAIL"] = AuthErrorCode.MissingEmail,
        ["MISSING_PASSWORD"] = AuthErrorCode.MissingPassword,
        ["CREDENTIAL_TOO_OLD_LOGIN_AGAIN"] = AuthErrorCode.CredentialTooOldLoginAgain,
        ["CREDENTIAL_MISMATCH"] = AuthErrorCode.CredentialMismatch,
        ["INVALID_CUSTOM_TOKEN"] = AuthErrorCode.InvalidCustomToken,
        ["INVALID_API_KEY"] = AuthErrorCode.InvalidApiKey,
        ["API_KEY_INVALID"] = AuthErrorCode.InvalidApiKey,
        ["PROJECT_NOT_FOUND"] = AuthErrorCode.ProjectNotFound,
        ["DUPLICATE_LOCAL_ID"] = AuthErrorCode.DuplicateLocalId,
        ["MISSING_LOCAL_ID"] = AuthErrorCode.MissingLocalId,
        ["INVALID_OOB_CODE"] = AuthErrorCode.InvalidOobCode,
        ["EXPIRED_OOB_CODE"] = AuthErrorCode.ExpiredOobCode,
        ["RESET_PASSWORD_EXCEED_LIMIT"] = AuthErrorCode.ResetPasswordExceedLimit,
        ["QUOTA_EXCEEDED"] = AuthErrorCode.QuotaExceeded,
        ["INVALID_CLAIMS"] = AuthErrorCode.InvalidClaims,
        ["CLAIMS_TOO_LARGE"] = AuthErrorCode.ClaimsTooLarge,
        ["FORBIDDEN_CLAIM"] = AuthErrorCode.ForbiddenClaim,
        ["INVALID_ARGUMENT"] = AuthErrorCode.InvalidArgument,
        ["INSUFFICIENT_PERMISSION"] = AuthErrorCode.InsufficientPermission,
        ["PERMISSION_DENIED"] = AuthErrorCode.InsufficientPermission,
        ["UNAUTHENTICATED"] = AuthErrorCode.Unauthenticated,
    };

    /// <summary>
    /// The code word of an Identity Toolkit message: <c>EMAIL_EXISTS</c>, or the part before
    /// <c>" : "</c> in <c>WEAK_PASSWORD : Password should be...</c>. Free text (which could echo
    /// input) is never returned; an unknown message yields the Google status word, if any.
    /// </summary>
    public static string? CodeWord(string? message, string? status)
    {
        if (!string.IsNullOrEmpty(message))
        {
            var end = message.IndexOf(':');
            var word = (end >= 0 ? message[..end] : message).Trim();
            if (word.Length is > 0 and <= 64 && word.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return word;
            }

            if (message.StartsWith("API key not valid", StringComparison.Ordinal))
            {
                return "API_KEY_INVALID";
            }
        }

        return string.IsNullOrEmpty(status) ? null : status;
    }

    public static AuthErrorCode Map(string? codeWord) =>
        codeWord is not null && Codes.TryGetValue(codeWord, out var code) ? code : AuthErrorCode.Unknown;
}
