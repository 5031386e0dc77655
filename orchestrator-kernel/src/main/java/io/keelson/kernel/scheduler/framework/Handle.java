package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.InformerFactory;
import java.time.Clock;
import java.util.Optional;

/** What the scheduler gives its plugins: the kernel, shared informers, the clock, the cycle's snapshot. */
public interface Handle {
    Kernel kernel();

    /** The scheduler's shared informers (pods and nodes are started; a plugin may start others). */
    InformerFactory informers();

    EventRecorder events();

    Clock clock();

    /** The nodes as the current scheduling cycle sees them. */
    NodeLister snapshot();

    /** The pod held by a Permit plugin's Wait, by uid. */
    Optional<WaitingPod> waitingPod(String uid);

    /** The profile's scheduler name. */
    String schedulerName();

    /**
     * Runs the profile's Filter plugins for {@code pod} on {@code node}, but those the pod's PreFilter skipped in
     * {@code state}; the first that rejects decides. For preemption, which filters what-if copies.
     */
    Status runFilters(CycleState state, Pod pod, NodeInfo node);

    /** Tells the profile's PreFilter plugins (their AddPod extension) that {@code added} joins {@code node}. */
    Status addPod(CycleState state, Pod podToSchedule, PodInfo added, NodeInfo node);

    /** Tells the profile's PreFilter plugins (their RemovePod extension) that {@code removed} leaves {@code node}. */
    Status removePod(CycleState state, Pod podToSchedule, PodInfo removed, NodeInfo node);
}
