using System.Globalization;

namespace AuthApp.Bench.Chaos;

public enum RedisMode
{
    Single,
    Cluster,
}

/// <summary>The command line: how long, which seed, which Redis, where the history goes.</summary>
public sealed record ChaosOptions(TimeSpan Duration, int Seed, RedisMode Redis, int Tenants, string HistoryPath, bool SelfTest, bool PlanOnly = false)
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/Chaos -- [--duration 10m] [--seed N] [--redis single|cluster] " +
        "[--tenants N] [--history path.jsonl] [--plan-only] | --self-test";

    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ChaosOptions(TimeSpan.FromMinutes(10), 1, RedisMode.Single, Tenants: 0, HistoryPath: "", SelfTest: false);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--duration" => options with { Duration = ParseDuration(Value()) },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--redis" => options with { Redis = Enum.Parse<RedisMode>(Value(), ignoreCase: true) },
                "--tenants" => options with { Tenants = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--history" => options with { HistoryPath = Value() },
                "--self-test" => options with { SelfTest = true },
                "--plan-only" => options with { PlanOnly = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}\n{Usage}"),
            };
        }

        if (options.Tenants == 0)
        {
            // About as many tenants as the two shared cores keep answering in well under a second each.
            options = options with { Tenants = 30 };
        }

        if (options.HistoryPath.Length == 0)
        {
            // Under artifacts/ (ignored by git): a run from the repository root leaves nothing to commit by mistake.
            options = options with { HistoryPath = Path.GetFullPath(Path.Combine("artifacts", "chaos", $"{options.Redis.ToString().ToLowerInvariant()}-seed{options.Seed}.jsonl")) };
        }

        return options;
    }

    /// <summary><c>90s</c>, <c>10m</c>, <c>1h</c>, or a TimeSpan (<c>00:10:00</c>).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var number = text.Length > 1 ? text[..^1] : text;
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(double.Parse(number, CultureInfo.InvariantCulture)),
            'm' => TimeSpan.FromMinutes(double.Parse(number, CultureInfo.InvariantCulture)),
            'h' => TimeSpan.FromHours(double.Parse(number, CultureInfo.InvariantCulture)),
            _ => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
        };
    }
}
