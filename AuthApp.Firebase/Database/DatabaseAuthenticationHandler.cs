using System.Net.Http.Headers;
using AuthApp.Firebase.Credentials;

namespace AuthApp.Firebase.Database;

/// <summary>
/// Puts the database access token in the <c>Authorization: Bearer</c> header of every attempt.
/// Tokens never go into the URL (no <c>?access_token=</c> / <c>?auth=</c>), so they cannot leak
/// into logs, traces or exception messages.
/// </summary>
internal sealed class DatabaseAuthenticationHandler(IFirebaseAccessTokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAccessTokenAsync(FirebaseApi.Database, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
