package io.keelson.scheduler.plugins;

import io.keelson.kernel.scheduler.framework.PluginRegistry;
import io.keelson.scheduler.plugins.coscheduling.Coscheduling;
import io.keelson.scheduler.plugins.defaultbinder.DefaultBinder;
import io.keelson.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.keelson.scheduler.plugins.imagelocality.ImageLocality;
import io.keelson.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.keelson.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.keelson.scheduler.plugins.nodename.NodeName;
import io.keelson.scheduler.plugins.nodeports.NodePorts;
import io.keelson.scheduler.plugins.noderesources.BalancedAllocation;
import io.keelson.scheduler.plugins.noderesources.Fit;
import io.keelson.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.keelson.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.keelson.scheduler.plugins.queuesort.PrioritySort;
import io.keelson.scheduler.plugins.schedulinggates.SchedulingGates;
import io.keelson.scheduler.plugins.tainttoleration.TaintToleration;

/**
 * kube-scheduler's in-tree plugins, registered under their upstream names, with upstream's default profile
 * (multi-point, in order, with the default score weights), and kubernetes-sigs/scheduler-plugins' Coscheduling
 * (registered, not enabled by default). Found by the kernel's scheduler through
 * {@link java.util.ServiceLoader}; an application can also register them explicitly:
 * {@code new InTreePlugins().register(registry)}.
 */
public final class InTreePlugins implements PluginRegistry.Provider {
    @Override
    public void register(PluginRegistry registry) {
        registry.register(SchedulingGates.NAME, (args, handle) -> new SchedulingGates())
                .register(PrioritySort.NAME, (args, handle) -> new PrioritySort())
                .register(NodeUnschedulable.NAME, (args, handle) -> new NodeUnschedulable())
                .register(NodeName.NAME, (args, handle) -> new NodeName())
                .register(TaintToleration.NAME, (args, handle) -> new TaintToleration())
                .register(NodeAffinity.NAME, (args, handle) -> new NodeAffinity(args))
                .register(NodePorts.NAME, (args, handle) -> new NodePorts())
                .register(Fit.NAME, (args, handle) -> new Fit(args))
                .register(BalancedAllocation.NAME, (args, handle) -> new BalancedAllocation(args))
                .register(PodTopologySpread.NAME, PodTopologySpread::new)
                .register(InterPodAffinity.NAME, InterPodAffinity::new)
                .register(DefaultPreemption.NAME, DefaultPreemption::new)
                .register(ImageLocality.NAME, (args, handle) -> new ImageLocality(handle))
                .register(DefaultBinder.NAME, (args, handle) -> new DefaultBinder(handle.kernel()))
                .register(Coscheduling.NAME, Coscheduling::new); // not default: needs PodGroups served
        registry.enableByDefault(SchedulingGates.NAME, 0)
                .enableByDefault(PrioritySort.NAME, 0)
                .enableByDefault(NodeUnschedulable.NAME, 0)
                .enableByDefault(NodeName.NAME, 0)
                .enableByDefault(TaintToleration.NAME, 3)
                .enableByDefault(NodeAffinity.NAME, 2)
                .enableByDefault(NodePorts.NAME, 0)
                .enableByDefault(Fit.NAME, 1)
                .enableByDefault(PodTopologySpread.NAME, 2)
                .enableByDefault(InterPodAffinity.NAME, 2)
                .enableByDefault(DefaultPreemption.NAME, 0)
                .enableByDefault(BalancedAllocation.NAME, 1)
                .enableByDefault(ImageLocality.NAME, 1)
                .enableByDefault(DefaultBinder.NAME, 0);
    }
}
