using Xunit.Sdk;
using Xunit.v3;

namespace AuthApp.Tests.Infrastructure;

/// <summary>
/// Runs the collections in xUnit's own order, except that <see cref="ShutdownLast.CollectionName"/> comes after every
/// other: its test stops the AppHost every test shares, which starting a second AppHost only to stop it would cost a
/// minute of a two-core machine. xUnit runs collections that disable parallelization one after another once the
/// parallel ones are done, in this order.
/// </summary>
public sealed class ShutdownLast : ITestCollectionOrderer
{
    public const string CollectionName = "Stops the shared AppHost";

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections)
            .OrderBy(collection => collection.TestCollectionDisplayName == CollectionName)];
}

/// <summary>The collection of the one test that stops the shared AppHost: alone, after all the others.</summary>
[CollectionDefinition(ShutdownLast.CollectionName, DisableParallelization = true)]
public sealed class ShutdownCollection;
