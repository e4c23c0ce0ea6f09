using System.Collections.Concurrent;
using AuthApp.DatabaseEmulator.Rules.Expressions;

namespace AuthApp.DatabaseEmulator.Auth;

/// <summary>
/// Decoded ID tokens by their text: a client sends the same token for an hour, and decoding is a pure function of
/// the text, so it is done once. Expiry is still checked on every use. Only tokens that decode are kept, and the
/// cache is emptied when full, so hostile tokens cannot grow it.
/// </summary>
internal sealed class IdTokenCache
{
    private const int Capacity = 1024;

    private readonly ConcurrentDictionary<string, DecodedToken> _decoded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DecodedToken>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public IdTokenCache() => _bySpan = _decoded.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <param name="token">The token as it arrived (e.g. a slice of the Authorization header): no copy is made when it is known.</param>
    public IdTokens.Failure Read(ReadOnlySpan<char> token, long nowMs, out RuleValue auth)
    {
        var failure = Read(token, nowMs, out DecodedToken decoded);
        auth = decoded.Auth;
        return failure;
    }

    /// <summary>As <see cref="Read(ReadOnlySpan{char}, long, out RuleValue)"/>, with the token's expiry.</summary>
    public IdTokens.Failure Read(ReadOnlySpan<char> token, long nowMs, out DecodedToken result)
    {
        if (!_bySpan.TryGetValue(token, out var decoded))
        {
            var text = token.ToString();
            if (!IdTokens.TryDecode(text, out decoded))
            {
                result = new DecodedToken(RuleValue.Null, 0);
                return IdTokens.Failure.Malformed;
            }

            if (_decoded.Count >= Capacity)
            {
                _decoded.Clear();
            }

            _decoded[text] = decoded;
        }

        result = decoded;
        return decoded.IsExpiredAt(nowMs) ? IdTokens.Failure.Expired : IdTokens.Failure.None;
    }
}
