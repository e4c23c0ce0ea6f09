using System.Globalization;

namespace AuthApp.Testing;

/// <summary>How many cases a property test tries.</summary>
public static class PropertyRuns
{
    /// <summary>
    /// <c>CsCheck_Iter</c> when set (a long local run: <c>CsCheck_Iter=10000 ./test.sh</c>), else
    /// <paramref name="inSuite"/>, sized so that the suite stays fast on two cores.
    /// </summary>
    public static long Iterations(long inSuite) =>
        long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var iter) && iter > 0
            ? iter
            : inSuite;
}
