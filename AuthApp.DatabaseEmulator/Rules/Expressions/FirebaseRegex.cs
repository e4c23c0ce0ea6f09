using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>
/// The regular expressions of the rules language (docs: "Firebase Security Rules Regular Expressions"), translated
/// to a .NET <see cref="Regex"/> once, when the rules are compiled. Supported as documented: <c>\s \w \d \S \W \D</c>,
/// <c>\</c> escaping a punctuation character, <c>^</c> only as the first and <c>$</c> only as the last character,
/// <c>* + ?</c>, <c>{n}</c> <c>{n,}</c> <c>{n,m}</c>, <c>.</c> (any character), <c>(...)</c>, <c>a|b</c>,
/// <c>[abc]</c> <c>[^abc]</c> <c>[a-z]</c>, and the <c>i</c> flag. Anything else the docs do not list (lookarounds,
/// back-references, lazy quantifiers, <c>\n</c>-style escapes, other flags) is refused, not guessed. Matching
/// searches the string (<c>/a/</c> matches "ba") with the non-backtracking engine: time is linear in the input.
/// </summary>
internal static class FirebaseRegex
{
    private const int MaxRepeat = 1000;
    private const string Word = "A-Za-z0-9_";
    private const string Digit = "0-9";

    /// <param name="column">1-based column of the literal in the expression, for errors.</param>
    public static Regex Compile(string pattern, string flags, int column)
    {
        var options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.Singleline;
        foreach (var flag in flags)
        {
            if (flag != 'i' || options.HasFlag(RegexOptions.IgnoreCase))
            {
                throw new RuleSyntaxException(column, $"unsupported regular expression flag '{flag}' (only 'i' is supported)");
            }

            options |= RegexOptions.IgnoreCase;
        }

        var translated = new Translator(pattern, column + 1).Translate();
        try
        {
            return new Regex(translated, options);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw new RuleSyntaxException(column, $"regular expression /{pattern}/ is not supported: {ex.Message}");
        }
    }

    private sealed class Translator(string pattern, int firstColumn)
    {
        private readonly StringBuilder _out = new();
        private int _i;
        private int _groups;

        // True when the last thing written can take a quantifier.
        private bool _atom;

        public string Translate()
        {
            while (_i < pattern.Length)
            {
                var c = pattern[_i];
                switch (c)
                {
                    case '^':
                        Require(_i == 0, "'^' is only supported as the first character");
                        _out.Append(@"\A");
                        _atom = false;
                        _i++;
                        break;
                    case '$':
                        Require(_i == pattern.Length - 1, "'$' is only supported as the last character");
                        _out.Append(@"\z");
                        _atom = false;
                        _i++;
                        break;
                    case '\\':
                        Escape();
                        break;
                    case '[':
                        Class();
                        break;
                    case '(':
                        Require(_i + 1 >= pattern.Length || pattern[_i + 1] != '?', "'(?' groups are not supported");
                        _groups++;
                        _out.Append('(');
                        _atom = false;
                        _i++;
                        break;
                    case ')':
                        Require(_groups > 0, "unbalanced ')'");
                        _groups--;
                        _out.Append(')');
                        _atom = true;
                        _i++;
                        break;
                    case '|':
                        _out.Append('|');
                        _atom = false;
                        _i++;
                        break;
                    case '.':
                        _out.Append('.');
                        _atom = true;
                        _i++;
                        break;
                    case '*' or '+' or '?':
                        Quantifier(c.ToString(), 1);
                        break;
                    case '{':
                        Repeat();
                        break;
                    case ']' or '}':
                        throw Error($"unbalanced '{c}'");
                    default:
                        Literal(c);
                        _atom = true;
                        _i++;
                        break;
                }
            }

            Require(_groups == 0, "unbalanced '('");
            return _out.ToString();
        }

        private void Escape()
        {
            Require(_i + 1 < pattern.Length, "a pattern cannot end with '\\'");
            var c = pattern[_i + 1];
            switch (c)
            {
                case 'd':
                    _out.Append('[').Append(Digit).Append(']');
                    break;
                case 'D':
                    _out.Append("[^").Append(Digit).Append(']');
                    break;
                case 'w':
                    _out.Append('[').Append(Word).Append(']');
                    break;
                case 'W':
                    _out.Append("[^").Append(Word).Append(']');
                    break;
                case 's':
                    _out.Append(@"\s");
                    break;
                case 'S':
                    _out.Append(@"\S");
                    break;
                default:
                    Require(!char.IsAsciiLetterOrDigit(c), $"unsupported escape '\\{c}'");
                    Literal(c);
                    break;
            }

            _atom = true;
            _i += 2;
        }

        private void Class()
        {
            var start = _i;
            _i++;
            var negated = _i < pattern.Length && pattern[_i] == '^';
            if (negated)
            {
                _i++;
            }

            _out.Append(negated ? "[^" : "[");
            var members = 0;
            while (true)
            {
                Require(_i < pattern.Length, "unterminated '['", start);
                var c = pattern[_i];
                if (c == ']')
                {
                    Require(members > 0, "an empty class '[]' is not supported", start);
                    _out.Append(']');
                    _i++;
                    break;
                }

                members++;
                if (c == '\\')
                {
                    Require(_i + 1 < pattern.Length, "unterminated '['", start);
                    var escaped = pattern[_i + 1];
                    _i += 2;
                    switch (escaped)
                    {
                        case 'd':
                            _out.Append(Digit);
                            continue;
                        case 'w':
                            _out.Append(Word);
                            continue;
                        case 's':
                            _out.Append(@"\s");
                            continue;
                        default:
                            Require(!char.IsAsciiLetterOrDigit(escaped), $"unsupported escape '\\{escaped}' in a class", _i - 2);
                            ClassMember(escaped);
                            continue;
                    }
                }

                _i++;
                ClassMember(c);
            }

            _atom = true;
        }

        /// <summary>A literal character in a class, and the range it may start (<c>a-z</c>).</summary>
        private void ClassMember(char first)
        {
            if (_i + 1 < pattern.Length && pattern[_i] == '-' && pattern[_i + 1] != ']')
            {
                var last = pattern[_i + 1];
                var width = 2;
                if (last == '\\')
                {
                    Require(_i + 2 < pattern.Length && !char.IsAsciiLetterOrDigit(pattern[_i + 2]), "unsupported range end", _i);
                    last = pattern[_i + 2];
                    width = 3;
                }

                Require(first <= last, $"range '{first}-{last}' is out of order", _i);
                Literal(first);
                _out.Append('-');
                Literal(last);
                _i += width;
                return;
            }

            Literal(first);
        }

        private void Repeat()
        {
            var close = pattern.IndexOf('}', _i);
            Require(close > _i, "unterminated '{'");
            var body = pattern[(_i + 1)..close];
            var parts = body.Split(',');
            Require(parts.Length is 1 or 2 && IsCount(parts[0]) && (parts.Length == 1 || parts[1].Length == 0 || IsCount(parts[1])),
                $"'{{{body}}}' is not a repetition ({{n}}, {{n,}} or {{n,m}})");
            var min = int.Parse(parts[0], CultureInfo.InvariantCulture);
            if (parts.Length == 2 && parts[1].Length > 0)
            {
                Require(int.Parse(parts[1], CultureInfo.InvariantCulture) >= min, $"'{{{body}}}' has its bounds out of order");
            }

            Quantifier("{" + body + "}", close - _i + 1);
        }

        private static bool IsCount(string text) =>
            text.Length is > 0 and <= 4 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) <= MaxRepeat;

        private void Quantifier(string text, int width)
        {
            Require(_atom, $"'{text}' has nothing to repeat");
            _out.Append(text);
            _i += width;
            _atom = false;
            Require(_i >= pattern.Length || pattern[_i] is not ('?' or '*' or '+' or '{'), "lazy or repeated quantifiers are not supported");
        }

        /// <summary>Letters and digits as they are; anything else as a \u escape, which means the character itself everywhere.</summary>
        private void Literal(char c)
        {
            if (char.IsLetterOrDigit(c))
            {
                _out.Append(c);
            }
            else
            {
                _out.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        private void Require(bool condition, string message, int? at = null)
        {
            if (!condition)
            {
                throw Error(message, at);
            }
        }

        private RuleSyntaxException Error(string message, int? at = null) =>
            new(firstColumn + (at ?? _i), $"regular expression: {message}");
    }
}
