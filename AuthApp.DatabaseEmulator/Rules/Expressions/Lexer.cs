using System.Globalization;
using System.Text;

namespace AuthApp.DatabaseEmulator.Rules.Expressions;

internal enum TokenKind
{
    End,
    Identifier,
    Number,
    String,
    Regex,
    Punctuation,
}

/// <summary>A token; <see cref="Position"/> is its 0-based offset in the expression.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0, string? Flags = null)
{
    public bool Is(string punctuation) => Kind == TokenKind.Punctuation && Text == punctuation;

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.String => "a string",
        TokenKind.Number => $"number {Text}",
        TokenKind.Regex => "a regular expression",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits a rule expression into tokens: JavaScript's expression syntax as far as the rules language uses it.
/// A <c>/</c> starts a regular expression literal where an operand is expected, and divides elsewhere.
/// </summary>
internal sealed class Lexer(string text)
{
    // Longest first, so that "===" is not read as "==" then "=".
    private static readonly string[] Punctuation =
        ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", ",", ".", "?", ":", "!", "<", ">", "+", "-", "*", "/", "%"];

    private int _position;
    private Token? _previous;

    public Token Next()
    {
        while (_position < text.Length && char.IsWhiteSpace(text[_position]))
        {
            _position++;
        }

        var token = _position >= text.Length ? new Token(TokenKind.End, "", text.Length) : Read();
        _previous = token;
        return token;
    }

    private Token Read()
    {
        var start = _position;
        var c = text[start];
        if (char.IsAsciiLetter(c) || c is '_' or '$')
        {
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '$'))
            {
                _position++;
            }

            return new Token(TokenKind.Identifier, text[start.._position], start);
        }

        if (char.IsAsciiDigit(c))
        {
            return ReadNumber(start);
        }

        if (c is '\'' or '"')
        {
            return ReadString(start, c);
        }

        if (c == '/' && OperandExpected())
        {
            return ReadRegex(start);
        }

        foreach (var punctuation in Punctuation)
        {
            if (string.CompareOrdinal(text, start, punctuation, 0, punctuation.Length) == 0)
            {
                _position += punctuation.Length;
                return new Token(TokenKind.Punctuation, punctuation, start);
            }
        }

        throw new RuleSyntaxException(start + 1, $"unexpected character '{c}'");
    }

    /// <summary>After an operand (a name, a literal, a closing bracket) a slash divides; anywhere else it opens a regex.</summary>
    private bool OperandExpected() => _previous is not { } previous
        || previous.Kind == TokenKind.Punctuation && previous.Text is not (")" or "]");

    private Token ReadNumber(int start)
    {
        while (_position < text.Length && char.IsAsciiDigit(text[_position]))
        {
            _position++;
        }

        if (_position + 1 < text.Length && text[_position] == '.' && char.IsAsciiDigit(text[_position + 1]))
        {
            _position++;
            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                _position++;
            }
        }

        if (_position < text.Length && text[_position] is 'e' or 'E')
        {
            var exponent = _position + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                _position = exponent;
                while (_position < text.Length && char.IsAsciiDigit(text[_position]))
                {
                    _position++;
                }
            }
        }

        if (_position < text.Length && (char.IsAsciiLetter(text[_position]) || text[_position] is '_' or '$'))
        {
            throw new RuleSyntaxException(_position + 1, "a number must not run into a name");
        }

        var literal = text[start.._position];
        return new Token(TokenKind.Number, literal, start, double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private Token ReadString(int start, char quote)
    {
        var value = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= text.Length)
            {
                throw new RuleSyntaxException(start + 1, "unterminated string");
            }

            var c = text[_position++];
            if (c == quote)
            {
                return new Token(TokenKind.String, value.ToString(), start);
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (_position >= text.Length)
            {
                throw new RuleSyntaxException(start + 1, "unterminated string");
            }

            var escape = text[_position++];
            switch (escape)
            {
                case '\\' or '\'' or '"' or '/':
                    value.Append(escape);
                    break;
                case 'n':
                    value.Append('\n');
                    break;
                case 't':
                    value.Append('\t');
                    break;
                case 'r':
                    value.Append('\r');
                    break;
                case 'u' when _position + 4 <= text.Length
                              && int.TryParse(text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    value.Append((char)code);
                    _position += 4;
                    break;
                default:
                    throw new RuleSyntaxException(_position - 1, $"unknown escape '\\{escape}' in a string");
            }
        }
    }

    /// <summary><c>/pattern/flags</c>; as in JavaScript, a <c>/</c> inside <c>[...]</c> or after <c>\</c> does not end it.</summary>
    private Token ReadRegex(int start)
    {
        _position++;
        var inClass = false;
        while (true)
        {
            if (_position >= text.Length || text[_position] is '\n' or '\r')
            {
                throw new RuleSyntaxException(start + 1, "unterminated regular expression");
            }

            var c = text[_position++];
            if (c == '\\')
            {
                if (_position >= text.Length)
                {
                    throw new RuleSyntaxException(start + 1, "unterminated regular expression");
                }

                _position++;
            }
            else if (c == '[')
            {
                inClass = true;
            }
            else if (c == ']')
            {
                inClass = false;
            }
            else if (c == '/' && !inClass)
            {
                break;
            }
        }

        var pattern = text[(start + 1)..(_position - 1)];
        var flagsStart = _position;
        while (_position < text.Length && char.IsAsciiLetter(text[_position]))
        {
            _position++;
        }

        return new Token(TokenKind.Regex, pattern, start, Flags: text[flagsStart.._position]);
    }
}
