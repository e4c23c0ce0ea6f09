namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>Where an expression sits: the <c>$</c> variables captured above it (name → path segment) and whether <c>newData</c> exists.</summary>
internal sealed record RuleScope(IReadOnlyDictionary<string, int> Captures, bool AllowsNewData);

/// <summary>
/// Parses and type-checks one rule expression (JavaScript precedence: <c>?:</c>, <c>||</c>, <c>&amp;&amp;</c>,
/// equality, ordering, <c>+ -</c>, <c>* / %</c>, unary <c>! -</c>, member access and calls). Everything a
/// rule can name is resolved here (variables, <c>$</c> captures, methods), so evaluation never looks anything up.
/// </summary>
internal sealed class Parser
{
    private const RuleType Primitive = RuleType.Null | RuleType.Boolean | RuleType.Number | RuleType.String;

    private readonly Lexer _lexer;
    private readonly RuleScope _scope;
    private Token _current;

    private Parser(string text, RuleScope scope)
    {
        _lexer = new Lexer(text);
        _scope = scope;
        _current = _lexer.Next();
    }

    /// <summary>Compiles a rule; it must be able to evaluate to a boolean.</summary>
    public static Expr ParseRule(string text, RuleScope scope)
    {
        var parser = new Parser(text, scope);
        var start = parser._current;
        var expr = parser.Expression();
        if (parser._current.Kind != TokenKind.End)
        {
            throw Error(parser._current, $"unexpected {parser._current.Describe()}");
        }

        if (!expr.Type.CanBe(RuleType.Boolean))
        {
            throw Error(start, $"a rule must evaluate to a boolean, but this is a {expr.Type.Describe()}");
        }

        return expr;
    }

    private Expr Expression()
    {
        var condition = Or();
        if (!_current.Is("?"))
        {
            return condition;
        }

        var question = Advance();
        RequireType(question, condition, RuleType.Boolean, "the condition of '?:'");
        var whenTrue = Expression();
        Expect(":");
        var whenFalse = Expression();
        return new ConditionalExpr(condition, whenTrue, whenFalse);
    }

    private Expr Or()
    {
        var left = And();
        while (_current.Is("||"))
        {
            var op = Advance();
            var right = And();
            RequireType(op, left, RuleType.Boolean, "'||'");
            RequireType(op, right, RuleType.Boolean, "'||'");
            left = new LogicalExpr(left, right, isAnd: false);
        }

        return left;
    }

    private Expr And()
    {
        var left = Equality();
        while (_current.Is("&&"))
        {
            var op = Advance();
            var right = Equality();
            RequireType(op, left, RuleType.Boolean, "'&&'");
            RequireType(op, right, RuleType.Boolean, "'&&'");
            left = new LogicalExpr(left, right, isAnd: true);
        }

        return left;
    }

    private Expr Equality()
    {
        var left = Relational();
        while (_current.Is("==") || _current.Is("===") || _current.Is("!=") || _current.Is("!=="))
        {
            var op = Advance();
            var right = Relational();
            RequireType(op, left, Primitive, $"'{op.Text}'");
            RequireType(op, right, Primitive, $"'{op.Text}'");
            left = new EqualityExpr(left, right, negated: op.Text[0] == '!');
        }

        return left;
    }

    private Expr Relational()
    {
        var left = Additive();
        while (_current.Is("<") || _current.Is("<=") || _current.Is(">") || _current.Is(">="))
        {
            var op = Advance();
            var right = Additive();
            Pair(op, left, right, RuleType.Number | RuleType.String);
            var kind = op.Text switch
            {
                "<" => BinaryOperator.Less,
                "<=" => BinaryOperator.LessOrEqual,
                ">" => BinaryOperator.Greater,
                _ => BinaryOperator.GreaterOrEqual,
            };
            left = new BinaryExpr(left, right, kind, op.Text, RuleType.Boolean);
        }

        return left;
    }

    private Expr Additive()
    {
        var left = Multiplicative();
        while (_current.Is("+") || _current.Is("-"))
        {
            var op = Advance();
            var right = Multiplicative();
            var type = Pair(op, left, right, op.Text == "+" ? RuleType.Number | RuleType.String : RuleType.Number);
            left = new BinaryExpr(left, right, op.Text == "+" ? BinaryOperator.Add : BinaryOperator.Subtract, op.Text, type);
        }

        return left;
    }

    private Expr Multiplicative()
    {
        var left = Unary();
        while (_current.Is("*") || _current.Is("/") || _current.Is("%"))
        {
            var op = Advance();
            var right = Unary();
            Pair(op, left, right, RuleType.Number);
            var kind = op.Text switch
            {
                "*" => BinaryOperator.Multiply,
                "/" => BinaryOperator.Divide,
                _ => BinaryOperator.Remainder,
            };
            left = new BinaryExpr(left, right, kind, op.Text, RuleType.Number);
        }

        return left;
    }

    private Expr Unary()
    {
        if (_current.Is("!"))
        {
            var op = Advance();
            var operand = Unary();
            RequireType(op, operand, RuleType.Boolean, "'!'");
            return new NotExpr(operand);
        }

        if (_current.Is("-"))
        {
            var op = Advance();
            var operand = Unary();
            RequireType(op, operand, RuleType.Number, "'-'");
            return operand is LiteralExpr { Value.Kind: ValueKind.Number } literal
                ? new LiteralExpr(RuleValue.From(-literal.Value.Number), RuleType.Number)
                : new NegateExpr(operand);
        }

        return Postfix(Primary());
    }

    private Expr Postfix(Expr target)
    {
        while (true)
        {
            if (_current.Is("("))
            {
                throw Error(_current, "only methods can be called (e.g. data.val())");
            }

            if (_current.Is("["))
            {
                throw Error(_current, "indexing with [] is not supported; use child() on snapshots");
            }

            if (!_current.Is("."))
            {
                return target;
            }

            Advance();
            var name = _current;
            if (name.Kind != TokenKind.Identifier)
            {
                throw Error(name, $"expected a name after '.', found {name.Describe()}");
            }

            Advance();
            target = _current.Is("(") ? Call(target, name) : MemberBinder.Property(target, name);
        }
    }

    private Expr Call(Expr target, Token name)
    {
        var open = Advance();
        var arguments = new List<Expr>();
        if (!_current.Is(")"))
        {
            arguments.Add(Argument(name.Text));
            while (_current.Is(","))
            {
                Advance();
                arguments.Add(Argument(name.Text));
            }
        }

        Expect(")");
        return MemberBinder.Method(target, name, open, arguments);
    }

    /// <summary>Regex and array literals exist only as the arguments of <c>matches()</c> and <c>hasChildren()</c>.</summary>
    private Expr Argument(string method)
    {
        if (_current.Kind == TokenKind.Regex && method == "matches")
        {
            var literal = Advance();
            return new RegexArgument(FirebaseRegex.Compile(literal.Text, literal.Flags ?? "", literal.Position + 1));
        }

        if (_current.Is("[") && method == "hasChildren")
        {
            Advance();
            var items = new List<Expr>();
            if (!_current.Is("]"))
            {
                items.Add(ListItem());
                while (_current.Is(","))
                {
                    Advance();
                    items.Add(ListItem());
                }
            }

            Expect("]");
            return new ListExpr([.. items]);
        }

        return Expression();
    }

    private Expr ListItem()
    {
        var start = _current;
        var item = Expression();
        RequireType(start, item, RuleType.String, "an item of hasChildren([...])");
        return item;
    }

    private Expr Primary()
    {
        var token = _current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new LiteralExpr(RuleValue.From(token.Number), RuleType.Number);
            case TokenKind.String:
                Advance();
                return new LiteralExpr(RuleValue.From(token.Text), RuleType.String);
            case TokenKind.Identifier:
                Advance();
                return Variable(token);
            case TokenKind.Regex:
                throw Error(token, "a regular expression is only allowed as the argument of matches()");
            case TokenKind.Punctuation when token.Text == "(":
                Advance();
                var inner = Expression();
                Expect(")");
                return inner;
            case TokenKind.Punctuation when token.Text == "[":
                throw Error(token, "an array is only allowed as the argument of hasChildren()");
            default:
                throw Error(token, $"expected a value, found {token.Describe()}");
        }
    }

    private Expr Variable(Token name)
    {
        switch (name.Text)
        {
            case "true":
                return new LiteralExpr(RuleValue.True, RuleType.Boolean);
            case "false":
                return new LiteralExpr(RuleValue.False, RuleType.Boolean);
            case "null":
                return new LiteralExpr(RuleValue.Null, RuleType.Null);
            case "auth":
                return new AuthExpr();
            case "now":
                return new NowExpr();
            case "root":
                return new RootExpr();
            case "data":
                return new DataExpr();
            case "newData" when _scope.AllowsNewData:
                return new NewDataExpr();
            case "newData":
                throw Error(name, "newData is not available in .read rules");
            case "query":
                throw Error(name, "query-based rules (the 'query' variable) are not supported by this emulator");
        }

        if (name.Text.StartsWith('$'))
        {
            return _scope.Captures.TryGetValue(name.Text, out var segment)
                ? new CaptureExpr(segment)
                : throw Error(name, $"unknown variable '{name.Text}': no such $location above this rule");
        }

        throw Error(name, $"unknown variable '{name.Text}'");
    }

    private Token Advance()
    {
        var token = _current;
        _current = _lexer.Next();
        return token;
    }

    private void Expect(string punctuation)
    {
        if (!_current.Is(punctuation))
        {
            throw Error(_current, $"expected '{punctuation}', found {_current.Describe()}");
        }

        Advance();
    }

    /// <summary>Both operands must be able to be one same kind out of <paramref name="accepted"/>; returns what the result can be.</summary>
    private static RuleType Pair(Token op, Expr left, Expr right, RuleType accepted)
    {
        var common = left.Type & right.Type & accepted;
        if (common == RuleType.None)
        {
            throw Error(op, $"'{op.Text}' cannot take a {left.Type.Describe()} and a {right.Type.Describe()}");
        }

        return common;
    }

    private static void RequireType(Token at, Expr operand, RuleType accepted, string what)
    {
        if (!operand.Type.CanBe(accepted))
        {
            throw Error(at, $"{what} needs a {accepted.Describe()}, not a {operand.Type.Describe()}");
        }
    }

    internal static RuleSyntaxException Error(Token at, string message) => new(at.Position + 1, message);
}
