using Aspire.Hosting.Publishing;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>The configuration keys of the fixed local ports (AppHost <c>appsettings.json</c>, or <c>Ports__Api=6080</c>).</summary>
internal static class PortSettings
{
    public const string Api = "Ports:Api";
    public const string Scheduler = "Ports:Scheduler";
    public const string Database = "Ports:Database";
}

/// <summary>How the API and the scheduler are reached, probed and described to whoever deploys them.</summary>
internal static class ServiceExtensions
{
    /// <summary>The port both services listen on in their containers (the .NET images' default, <c>ASPNETCORE_HTTP_PORTS</c>).</summary>
    public const int ContainerPort = 8080;

    /// <summary>
    /// The service's one HTTP endpoint. Locally: on the port <paramref name="portSetting"/> names, without a
    /// development certificate (none is needed for plain HTTP), and telling each replica its index. Published:
    /// HTTP only on <see cref="ContainerPort"/> (the default HTTPS binding would promise a certificate nobody
    /// configured; TLS ends at the ingress), reachable from outside only when <paramref name="external"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceEndpoint(this IResourceBuilder<ProjectResource> project, string portSetting, bool external)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return project
                .WithConfiguredPort(portSetting)
                .WithoutDevelopmentCertificate()
                // DCP fills in each replica's index (0, 1, ...): a name that stays the same across restarts, for
                // per-replica files such as the API's log.
                .WithEnvironment("ServiceInstance__Replica", "{{- index .Annotations \"resource-replica-index\" -}}");
        }

        foreach (var https in project.Resource.Annotations.OfType<EndpointAnnotation>().Where(endpoint => endpoint.UriScheme == "https").ToList())
        {
            project.Resource.Annotations.Remove(https);
        }

        return project
            // Aspire would set ASPNETCORE_FORWARDEDHEADERS_ENABLED, which runs a second forwarded-headers
            // middleware before the API's own; the API believes X-Forwarded-For from its trusted proxies only.
            .DisableForwardedHeaders()
            .WithEndpoint("http", endpoint =>
            {
                endpoint.TargetPort = ContainerPort;
                endpoint.IsExternal = external;
            });
    }

    /// <summary>
    /// Published, the API sits behind the platform's ingress or load balancer, and every client would share the
    /// per-address login limits under the ingress's address. Ops name the network the ingress connects from
    /// (parameter <c>trusted-proxy-network</c>, CIDR such as <c>10.0.0.0/8</c>); the API then believes
    /// <c>X-Forwarded-For</c> from there only. A local run has no proxy and trusts nobody.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTrustedProxyNetwork(this IResourceBuilder<ProjectResource> api)
    {
        if (!api.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return api;
        }

        var network = api.ApplicationBuilder.AddParameter("trusted-proxy-network");
        return api.WithEnvironment("ReverseProxy__TrustedNetworks__0", network);
    }

    /// <summary>A local run's host port from configuration; 0 lets the orchestrator pick one.</summary>
    public static IResourceBuilder<ProjectResource> WithConfiguredPort(this IResourceBuilder<ProjectResource> project, string portSetting)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode && project.ApplicationBuilder.Configuration.GetValue<int?>(portSetting) is { } port)
        {
            project.WithEndpoint("http", endpoint => endpoint.Port = port == 0 ? null : port);
        }

        return project;
    }

    /// <summary>
    /// Aspire offers every project the development certificate for HTTPS, and the dashboard then warns on every
    /// page that none is trusted. Every endpoint here is plain HTTP: nothing needs one.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutDevelopmentCertificate(this IResourceBuilder<ProjectResource> project)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
#pragma warning disable ASPIRECERTIFICATES001 // Opting out is the documented way to run without one.
            project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
        }

        return project;
    }

    /// <summary>
    /// Readiness on <c>/health</c> (Redis, Firebase as observed, the service's own loops) and liveness on
    /// <c>/alive</c> (the process). Locally they are the health checks the dashboard shows and <c>WaitFor</c>
    /// waits on; in the manifest they are written, with the replica count, for the deployment to apply.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHealthProbes(this IResourceBuilder<ProjectResource> project)
    {
#pragma warning disable ASPIREPROBES001 // Probes are experimental; the manifest needs them all the same.
        project
            .WithHttpProbe(ProbeType.Readiness, "/health", initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, endpointName: "http")
            .WithHttpProbe(ProbeType.Liveness, "/alive", initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, endpointName: "http");
#pragma warning restore ASPIREPROBES001
        return project.WithManifestPublishingCallback(context => WriteProjectAsync(context, project.Resource));
    }

    /// <summary>
    /// Aspire's own project entry (<c>project.v0</c>: path, arguments, environment, bindings) plus what the
    /// manifest format has no place for and the deployment needs: <c>replicas</c> and <c>probes</c>. Tools that
    /// do not know these two members ignore them; docs/deployment.md says how to apply them.
    /// </summary>
    private static async Task WriteProjectAsync(ManifestPublishingContext context, ProjectResource project)
    {
        var metadata = project.Annotations.OfType<IProjectMetadata>().Last();
        context.Writer.WriteString("type", "project.v0");
        context.Writer.WriteString("path", context.GetManifestRelativePath(metadata.ProjectPath));
        await context.WriteCommandLineArgumentsAsync(project);
        await context.WriteEnvironmentVariablesAsync(project);
        context.WriteBindings(project);

        context.Writer.WriteNumber("replicas", project.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1);
        context.Writer.WriteStartObject("probes");
#pragma warning disable ASPIREPROBES001
        foreach (var probe in project.Annotations.OfType<EndpointProbeAnnotation>())
        {
            context.Writer.WriteStartObject(probe.Type.ToString().ToLowerInvariant());
            context.Writer.WriteString("scheme", probe.EndpointReference.EndpointAnnotation.UriScheme);
            context.Writer.WriteString("endpoint", probe.EndpointReference.EndpointName);
            context.Writer.WriteString("path", probe.Path);
            context.Writer.WriteNumber("initialDelaySeconds", probe.InitialDelaySeconds);
            context.Writer.WriteNumber("periodSeconds", probe.PeriodSeconds);
            context.Writer.WriteNumber("timeoutSeconds", probe.TimeoutSeconds);
            context.Writer.WriteNumber("failureThreshold", probe.FailureThreshold);
            context.Writer.WriteNumber("successThreshold", probe.SuccessThreshold);
            context.Writer.WriteEndObject();
        }
#pragma warning restore ASPIREPROBES001
        context.Writer.WriteEndObject();
    }
}
