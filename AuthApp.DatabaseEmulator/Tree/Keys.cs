using System.Globalization;
using System.Text;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>Key rules and key ordering of the Realtime Database.</summary>
internal static class Keys
{
    public const int MaxKeyBytes = 768;

    public static bool IsValid(string key)
    {
        if (key.Length == 0 || key.AsSpan().IndexOfAny(".#$[]/") >= 0)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c < 32 || c == 127)
            {
                return false;
            }
        }

        return key.Length * 3 <= MaxKeyBytes || Encoding.UTF8.GetByteCount(key) <= MaxKeyBytes;
    }

    /// <summary>Keys that are 32-bit integers come first, in numeric order; then the rest, in string order.</summary>
    public static readonly Comparer<string> Order = Comparer<string>.Create(Compare);

    public static int Compare(string a, string b)
    {
        var aInt = TryInt(a, out var ai);
        var bInt = TryInt(b, out var bi);
        return (aInt, bInt) switch
        {
            (true, true) => ai.CompareTo(bi),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(a, b),
        };
    }

    /// <summary>A canonical 32-bit integer key ("7", "-3"; not "07" or "+7").</summary>
    public static bool TryInt(string key, out int value)
    {
        value = 0;
        if (key.Length is 0 or > 11)
        {
            return false;
        }

        var digits = key[0] == '-' ? key.AsSpan(1) : key.AsSpan();
        if (digits.Length == 0 || (digits[0] == '0' && (digits.Length > 1 || key[0] == '-')))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
