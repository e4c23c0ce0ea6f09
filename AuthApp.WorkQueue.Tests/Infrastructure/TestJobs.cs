using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuthApp.WorkQueue.Tests.Infrastructure;

/// <summary>What the handlers of one test saw, shared by every host in that test.</summary>
public sealed class JobRecorder
{
    public ConcurrentDictionary<string, int> RunsByKey { get; } = new();
    public ConcurrentQueue<(string Key, JobContext Context, DateTimeOffset At)> Runs { get; } = new();
    public ConcurrentQueue<(ActivityTraceId TraceId, ActivitySpanId ParentSpanId)> Traces { get; } = new();
    public TaskCompletionSource BlockingStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count(string key) => RunsByKey.GetValueOrDefault(key);

    public void Record(string key, JobContext context)
    {
        RunsByKey.AddOrUpdate(key, 1, (_, count) => count + 1);
        Runs.Enqueue((key, context, DateTimeOffset.UtcNow));
        if (Activity.Current is { } activity)
        {
            Traces.Enqueue((activity.TraceId, activity.ParentSpanId));
        }
    }
}

public sealed record EchoJob(string Key, string Text) : IJob
{
    public static string JobType => "test.echo";
}

public sealed record FlakyJob(string Key, int FailuresBeforeSuccess) : IJob
{
    public static string JobType => "test.flaky";
}

public sealed record PoisonJob(string Key) : IJob
{
    public static string JobType => "test.poison";
}

public sealed record RejectedJob(string Key) : IJob
{
    public static string JobType => "test.rejected";
}

public sealed record BlockingJob(string Key) : IJob
{
    public static string JobType => "test.blocking";
}

public sealed record SlowJob(string Key) : IJob
{
    public static string JobType => "test.slow";
}

public sealed record KeyedJob(string Key) : IIdempotentJob
{
    public static string JobType => "test.keyed";

    public string IdempotencyKey => Key;
}

/// <summary>An idempotent job whose handler always refuses it: dead-lettered at once.</summary>
public sealed record RejectedKeyedJob(string Key) : IIdempotentJob
{
    public static string JobType => "test.rejected-keyed";

    public string IdempotencyKey => Key;
}

public static class TestJobs
{
    public const string SecretInExceptionText = "token=secret-do-not-store";

    public static void AddAll(IServiceCollection services) => services
        .AddJobHandler<EchoJob, EchoHandler>()
        .AddJobHandler<FlakyJob, FlakyHandler>()
        .AddJobHandler<PoisonJob, PoisonHandler>()
        .AddJobHandler<RejectedJob, RejectedHandler>()
        .AddJobHandler<BlockingJob, BlockingHandler>()
        .AddJobHandler<KeyedJob, KeyedHandler>()
        .AddJobHandler<RejectedKeyedJob, RejectedKeyedHandler>()
        .AddJobHandler<SlowJob, SlowHandler>();

    /// <summary>Takes half a second, honouring cancellation: in flight when a graceful stop begins.</summary>
    public sealed class SlowHandler(JobRecorder recorder) : IJobHandler<SlowJob>
    {
        public async Task HandleAsync(SlowJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.BlockingStarted.TrySetResult();
            await Task.Delay(500, cancellationToken);
            recorder.Record(job.Key, context);
        }
    }

    public sealed class EchoHandler(JobRecorder recorder) : IJobHandler<EchoJob>
    {
        public Task HandleAsync(EchoJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key + "|" + job.Text, context);
            return Task.CompletedTask;
        }
    }

    public sealed class FlakyHandler(JobRecorder recorder) : IJobHandler<FlakyJob>
    {
        public Task HandleAsync(FlakyJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key, context);
            return recorder.Count(job.Key) <= job.FailuresBeforeSuccess
                ? throw new TimeoutException(SecretInExceptionText)
                : Task.CompletedTask;
        }
    }

    public sealed class PoisonHandler(JobRecorder recorder) : IJobHandler<PoisonJob>
    {
        public Task HandleAsync(PoisonJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key, context);
            throw new InvalidOperationException(SecretInExceptionText);
        }
    }

    public sealed class RejectedHandler(JobRecorder recorder) : IJobHandler<RejectedJob>
    {
        public Task HandleAsync(RejectedJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key, context);
            throw new PermanentJobFailureException("The user no longer exists.", new KeyNotFoundException(SecretInExceptionText));
        }
    }

    /// <summary>Never finishes on its own: a job in progress when its replica stops or dies.</summary>
    public sealed class BlockingHandler(JobRecorder recorder) : IJobHandler<BlockingJob>
    {
        public async Task HandleAsync(BlockingJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.BlockingStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    /// <summary>The replica that takes over: finishes the same job type at once.</summary>
    public sealed class FinishingBlockingHandler(JobRecorder recorder) : IJobHandler<BlockingJob>
    {
        public Task HandleAsync(BlockingJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key, context);
            return Task.CompletedTask;
        }
    }

    public sealed class RejectedKeyedHandler(JobRecorder recorder) : IJobHandler<RejectedKeyedJob>
    {
        public Task HandleAsync(RejectedKeyedJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key, context);
            throw new PermanentJobFailureException("Refused.");
        }
    }

    public sealed class KeyedHandler(JobRecorder recorder) : IJobHandler<KeyedJob>
    {
        public Task HandleAsync(KeyedJob job, JobContext context, CancellationToken cancellationToken)
        {
            recorder.Record(job.Key, context);
            return Task.CompletedTask;
        }
    }
}
