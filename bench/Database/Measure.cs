using System.Diagnostics;
using System.Globalization;

/// <summary>Latency percentiles and throughput of one case.</summary>
internal sealed record Result(string Name, double P50, double P99, double Max, double OpsPerSecond)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-28} p50 {P50,7:0.000} ms   p99 {P99,7:0.000} ms   max {Max,7:0.000} ms   {OpsPerSecond,8:0} ops/s");

    /// <summary>Each figure's median over several rounds of the same case.</summary>
    public static Result Median(IReadOnlyList<Result> rounds)
    {
        static double Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        return new Result(rounds[0].Name, Of(rounds.Select(r => r.P50)), Of(rounds.Select(r => r.P99)), Of(rounds.Select(r => r.Max)), Of(rounds.Select(r => r.OpsPerSecond)));
    }
}

/// <summary>Runs a case: a warm-up, then a bounded loop of operations, timed one by one.</summary>
internal sealed class Measure(int ops, int warmup, int concurrency)
{
    public int Concurrency => concurrency;

    public async Task<Result> SequentialAsync(string name, Func<int, Task> op)
    {
        for (var i = 0; i < warmup; i++)
        {
            await op(i);
        }

        var latencies = new double[ops];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < ops; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await op(i);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return Summarize(name, latencies, total.Elapsed);
    }

    public async Task<Result> ConcurrentAsync(string name, Func<int, Task> op)
    {
        for (var i = 0; i < warmup; i++)
        {
            await op(i);
        }

        var latencies = new double[ops];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ops)
            {
                var start = Stopwatch.GetTimestamp();
                await op(i);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        return Summarize(name, latencies, total.Elapsed);
    }

    private static Result Summarize(string name, double[] latencies, TimeSpan elapsed)
    {
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        return new Result(name, P(0.50), P(0.99), latencies[^1], latencies.Length / elapsed.TotalSeconds);
    }
}
