using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.WorkQueue.Internal;

/// <summary>One registered job type: how to turn its payload into a call to its handler.</summary>
internal sealed class JobRegistration(string jobType, Type clrType, Func<IServiceProvider, string, JobContext, CancellationToken, Task> invoke)
{
    public string JobType { get; } = jobType;
    public Type ClrType { get; } = clrType;
    public Func<IServiceProvider, string, JobContext, CancellationToken, Task> InvokeAsync { get; } = invoke;

    public static JobRegistration For<TJob>()
        where TJob : IJob =>
        new(TJob.JobType, typeof(TJob), static async (services, payload, context, cancellationToken) =>
        {
            TJob job;
            try
            {
                job = JsonSerializer.Deserialize<TJob>(payload, RedisWorkQueue.JsonOptions)
                    ?? throw new PermanentJobFailureException("The payload is null.");
            }
            catch (JsonException exception)
            {
                // A payload that does not deserialize now never will: no point retrying it.
                throw new PermanentJobFailureException("The payload could not be deserialized.", exception);
            }
            await services.GetRequiredService<IJobHandler<TJob>>().HandleAsync(job, context, cancellationToken);
        });
}

internal sealed class JobRegistry
{
    private readonly Dictionary<string, JobRegistration> _byType;

    public JobRegistry(IEnumerable<JobRegistration> registrations)
    {
        _byType = new(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (_byType.TryGetValue(registration.JobType, out var existing) && existing.ClrType != registration.ClrType)
            {
                throw new InvalidOperationException(
                    $"Job types {existing.ClrType} and {registration.ClrType} share the wire name '{registration.JobType}'.");
            }
            _byType[registration.JobType] = registration;
        }
    }

    public bool TryGet(string jobType, out JobRegistration registration) => _byType.TryGetValue(jobType, out registration!);
}
