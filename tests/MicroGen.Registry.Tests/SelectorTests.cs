using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MicroGen.Registry;
using MicroGen.Selector;
using NUnit.Framework;

namespace MicroGen.Registry.Tests;

[TestFixture]
public sealed class SelectorTests
{
    private static readonly IOException Failure = new("connection refused (test)");

    private static Node N(string id, string? zone = null) => new()
    {
        Id = id,
        Address = "127.0.0.1:" + (1000 + id.Length),
        Metadata = zone is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["zone"] = zone },
    };

    private static IReadOnlyList<ServiceInfo> OneVersion(params Node[] nodes) =>
        new[] { new ServiceInfo { Name = "svc", Version = "1.0.0", Nodes = nodes } };

    private static IEnumerable<SelectorBase> Both(TimeProvider? time = null)
    {
        var options = new SelectorOptions { TimeProvider = time ?? TimeProvider.System, MarkBackoff = TimeSpan.FromSeconds(5) };
        yield return new RandomSelector(options);
        yield return new RoundRobinSelector(options);
    }

    private static List<string> Pick(ISelector selector, IReadOnlyList<ServiceInfo> services, int count, SelectOptions? options = null) =>
        Enumerable.Range(0, count).Select(_ => selector.Select("svc", services, options)?.Id ?? "<none>").ToList();

    [Test]
    public void Random_ManyPicks_SpreadOverEveryNode()
    {
        var selector = new RandomSelector();
        var services = OneVersion(N("a"), N("b"), N("c"));

        var picks = Pick(selector, services, 300);

        // Missing a node in 300 uniform picks has a probability below 1e-52.
        Assert.That(picks.Distinct(), Is.EquivalentTo(new[] { "a", "b", "c" }));
        Assert.That(selector.Name, Is.EqualTo("random"));
    }

    [Test]
    public void RoundRobin_ConsecutivePicks_CycleInOrder()
    {
        var selector = new RoundRobinSelector();
        var services = OneVersion(N("a"), N("b"), N("c"));

        var picks = Pick(selector, services, 7);

        Assert.That(picks, Is.EqualTo(new[] { "a", "b", "c", "a", "b", "c", "a" }));
        Assert.That(selector.Name, Is.EqualTo("roundrobin"));
    }

    [Test]
    public void RoundRobin_TwoServices_KeepSeparateTurns()
    {
        var selector = new RoundRobinSelector();
        var services = OneVersion(N("a"), N("b"));

        var first = selector.Select("one", services)!.Id;
        var second = selector.Select("two", services)!.Id;
        var third = selector.Select("one", services)!.Id;

        Assert.That(new[] { first, second, third }, Is.EqualTo(new[] { "a", "a", "b" }));
    }

    [Test]
    public void Select_VersionFilter_PicksOnlyThatVersion()
    {
        foreach (var selector in Both())
        {
            var services = new[]
            {
                new ServiceInfo { Name = "svc", Version = "1.0.0", Nodes = new[] { N("old1"), N("old2") } },
                new ServiceInfo { Name = "svc", Version = "2.0.0", Nodes = new[] { N("new1") } },
            };
            var options = new SelectOptions { Filters = new[] { SelectFilters.Version("2.0.0") } };

            var picks = Pick(selector, services, 20, options);

            Assert.That(picks.Distinct(), Is.EqualTo(new[] { "new1" }), selector.Name);
        }
    }

    [Test]
    public void Select_MetadataFilter_PicksOnlyMatchingNodes()
    {
        foreach (var selector in Both())
        {
            var services = OneVersion(N("a", zone: "x"), N("b", zone: "y"), N("c", zone: "x"), N("d"));
            var options = new SelectOptions { Filters = new[] { SelectFilters.Metadata("zone", "x") } };

            var picks = Pick(selector, services, 60, options);

            Assert.That(picks.Distinct(), Is.EquivalentTo(new[] { "a", "c" }), selector.Name);
        }
    }

    [Test]
    public void Select_FiltersLeaveNothing_ReturnsNull()
    {
        foreach (var selector in Both())
        {
            var services = OneVersion(N("a", zone: "x"));
            var options = new SelectOptions { Filters = new[] { SelectFilters.Version("1.0.0"), SelectFilters.Metadata("zone", "nowhere") } };

            Assert.That(selector.Select("svc", services, options), Is.Null, selector.Name);
            Assert.That(selector.Select("svc", Array.Empty<ServiceInfo>()), Is.Null, selector.Name);
        }
    }

    [Test]
    public void Select_ExcludedNodes_AreSkipped()
    {
        foreach (var selector in Both())
        {
            var services = OneVersion(N("a"), N("b"), N("c"));
            var options = new SelectOptions { ExcludedNodes = new[] { "a", "c" } };

            var picks = Pick(selector, services, 20, options);

            Assert.That(picks.Distinct(), Is.EqualTo(new[] { "b" }), selector.Name);
        }
    }

    [Test]
    public void Select_EveryNodeExcluded_ReturnsNull()
    {
        foreach (var selector in Both())
        {
            var services = OneVersion(N("a"), N("b"));

            var node = selector.Select("svc", services, new SelectOptions { ExcludedNodes = new[] { "a", "b" } });

            Assert.That(node, Is.Null, selector.Name);
        }
    }

    [Test]
    public void Mark_Error_TakesNodeOutForTheBackoffThenItReturns()
    {
        foreach (var selector in Both(new ManualTimeProvider()))
        {
            var time = (ManualTimeProvider)selector.Options.TimeProvider;
            var services = OneVersion(N("a"), N("b"), N("c"));

            selector.Mark("svc", N("b"), Failure);
            var duringBackoff = Pick(selector, services, 60);
            time.Advance(TimeSpan.FromSeconds(4.9));
            var justBeforeEnd = Pick(selector, services, 60);
            time.Advance(TimeSpan.FromSeconds(0.2));
            var afterBackoff = Pick(selector, services, 60);

            Assert.That(duringBackoff, Does.Not.Contain("b"), selector.Name);
            Assert.That(justBeforeEnd, Does.Not.Contain("b"), selector.Name);
            Assert.That(afterBackoff, Does.Contain("b"), selector.Name);
        }
    }

    [Test]
    public void Mark_RepeatedErrors_DoubleTheBackoff()
    {
        foreach (var selector in Both(new ManualTimeProvider()))
        {
            var time = (ManualTimeProvider)selector.Options.TimeProvider;
            var services = OneVersion(N("a"), N("b"));

            selector.Mark("svc", N("b"), Failure);
            selector.Mark("svc", N("b"), Failure); // second failure: 10 s
            time.Advance(TimeSpan.FromSeconds(6));
            var afterSixSeconds = Pick(selector, services, 40);
            time.Advance(TimeSpan.FromSeconds(5));
            var afterElevenSeconds = Pick(selector, services, 40);

            Assert.That(afterSixSeconds, Does.Not.Contain("b"), selector.Name);
            Assert.That(afterElevenSeconds, Does.Contain("b"), selector.Name);
        }
    }

    [Test]
    public void Mark_Success_ClearsTheBackoffAtOnce()
    {
        foreach (var selector in Both(new ManualTimeProvider()))
        {
            var services = OneVersion(N("a"), N("b"));
            selector.Mark("svc", N("b"), Failure);
            Assert.That(Pick(selector, services, 20), Does.Not.Contain("b"), selector.Name);

            selector.Mark("svc", N("b"), null);

            Assert.That(Pick(selector, services, 60), Does.Contain("b"), selector.Name);
        }
    }

    [Test]
    public void Select_EveryNodeMarked_StillReturnsOne()
    {
        foreach (var selector in Both(new ManualTimeProvider()))
        {
            var services = OneVersion(N("a"), N("b"));
            selector.Mark("svc", N("a"), Failure);
            selector.Mark("svc", N("b"), Failure);

            var picks = Pick(selector, services, 20);

            Assert.That(picks, Is.All.AnyOf("a", "b"), selector.Name);
        }
    }

    [Test]
    public void Select_MarkedNodeAndExcludedNode_ExclusionStillHolds()
    {
        foreach (var selector in Both(new ManualTimeProvider()))
        {
            var services = OneVersion(N("a"), N("b"));
            selector.Mark("svc", N("a"), Failure);

            var picks = Pick(selector, services, 20, new SelectOptions { ExcludedNodes = new[] { "b" } });

            Assert.That(picks.Distinct(), Is.EqualTo(new[] { "a" }), selector.Name);
        }
    }

    [Test]
    public void Select_OneEntryNothingMarked_AllocatesNothing()
    {
        foreach (var selector in Both())
        {
            var services = OneVersion(N("a"), N("b"), N("c"));
            var node = services[0].Nodes[0];
            SelectAndReportSuccess(selector, services, node, 100); // warm up

            var before = GC.GetAllocatedBytesForCurrentThread();
            SelectAndReportSuccess(selector, services, node, 1000);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            // Every call routed through the registry selects a node and reports its success.
            Assert.That(allocated, Is.Zero, selector.Name);
        }
    }

    [Test]
    public void Mark_ConcurrentFailuresThenSuccesses_LeaveNoNodeBackingOff()
    {
        foreach (var selector in Both(new ManualTimeProvider()))
        {
            var nodes = new[] { N("a"), N("b"), N("c"), N("d") };
            var services = OneVersion(nodes);

            System.Threading.Tasks.Parallel.For(0, 4000, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
                selector.Mark("svc", nodes[i % nodes.Length], i % 3 == 0 ? null : Failure));
            foreach (var node in nodes)
            {
                selector.Mark("svc", node, null);
            }

            // Back to the state of a fresh selector: every node in rotation, and selection on the
            // path that reads no back-off (it allocates nothing).
            Assert.That(Pick(selector, services, 200).Distinct(), Is.EquivalentTo(new[] { "a", "b", "c", "d" }), selector.Name);
            var before = GC.GetAllocatedBytesForCurrentThread();
            SelectAndReportSuccess(selector, services, nodes[0], 100);
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, selector.Name);
        }
    }

    private static void SelectAndReportSuccess(ISelector selector, IReadOnlyList<ServiceInfo> services, Node node, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ = selector.Select("svc", services);
            selector.Mark("svc", node, null);
        }
    }
}
