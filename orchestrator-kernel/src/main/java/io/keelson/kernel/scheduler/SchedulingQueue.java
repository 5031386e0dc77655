package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;
import io.keelson.kernel.scheduler.framework.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * kube-scheduler's scheduling queue: the active queue ordered by the QueueSort plugin, the back-off queue (a failed
 * pod waits 1 s, doubling per attempt up to 10 s), and the unschedulable pool, left when a cluster event that may
 * help arrives or after 5 minutes. PreEnqueue plugins (scheduling gates) keep a pod in the pool until it changes.
 *
 * <p>Thread-safe. Time comes from the injected clock; the periodic flushes are called by the scheduler's timer (or
 * by tests).
 */
final class SchedulingQueue {
    /** A pod left in the unschedulable pool this long is retried anyway. */
    static final Duration MAX_IN_UNSCHEDULABLE = Duration.ofMinutes(5);

    private enum Where { ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT }

    /** A queued pod with the queue's bookkeeping. */
    static final class Entry {
        Pod pod;
        Instant timestamp;
        final Instant initialAttempt;
        int attempts;
        Set<String> rejectors = Set.of();
        String gatingPlugin;
        Where where;
        long cycle;
        Instant backoffExpiry;

        Entry(Pod pod, Instant now) {
            this.pod = pod;
            this.timestamp = now;
            this.initialAttempt = now;
        }

        Entry(QueuedPodInfo info) {
            this.pod = info.pod();
            this.timestamp = info.timestamp();
            this.initialAttempt = info.initialAttempt();
            this.attempts = info.attempts();
            this.where = Where.IN_FLIGHT;
        }

        QueuedPodInfo info() {
            return new QueuedPodInfo(pod, timestamp, attempts, initialAttempt);
        }

        String uid() {
            return pod.getMetadata().getUid();
        }
    }

    /** A pod handed out by {@link #pop()}: with the scheduling cycle it belongs to. */
    record Popped(QueuedPodInfo info, long cycle) {
        Pod pod() {
            return info.pod();
        }
    }

    private final Clock clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Function<Pod, Status> preEnqueue;
    private final BiPredicate<Set<String>, ClusterEvent> interested;
    private final PriorityQueue<Entry> active;
    private final PriorityQueue<Entry> backoff = new PriorityQueue<>(Comparator.comparing(e -> e.backoffExpiry));
    private final Map<String, Entry> byUid = new HashMap<>();
    /** The unschedulable pool (a subset of byUid), so that cluster events do not walk every queued pod. */
    private final Map<String, Entry> unschedulable = new LinkedHashMap<>();
    /** Pending pods with a nominated node (preemption made room for them there), by node, then uid. */
    private final Map<String, Map<String, PodInfo>> nominated = new HashMap<>();
    private final Map<String, String> nominatedNodeOf = new HashMap<>();
    private long schedulingCycle;
    private long moveRequestCycle = -1;
    private boolean closed;

    /**
     * @param order the QueueSort plugin's order
     * @param preEnqueue the pod's PreEnqueue verdict: success, or the rejecting plugin's status
     * @param interested whether an event may help a pod rejected by these plugins (null: by any plugin)
     */
    SchedulingQueue(Clock clock, Duration initialBackoff, Duration maxBackoff, Comparator<QueuedPodInfo> order,
                    Function<Pod, Status> preEnqueue, BiPredicate<Set<String>, ClusterEvent> interested) {
        this.clock = clock;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.preEnqueue = preEnqueue;
        this.interested = interested;
        this.active = new PriorityQueue<>((a, b) -> order.compare(a.info(), b.info()));
    }

    /** Pending pods nominated to a node, by node (they count there when others are filtered). */
    synchronized Map<String, List<PodInfo>> nominations() {
        if (nominated.isEmpty()) {
            return Map.of();
        }
        Map<String, List<PodInfo>> copy = new HashMap<>();
        nominated.forEach((node, pods) -> copy.put(node, List.copyOf(pods.values())));
        return copy;
    }

    private void nominate(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String node = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        forgetNomination(uid);
        if (node != null && !node.isEmpty() && byUid.containsKey(uid)) {
            nominated.computeIfAbsent(node, n -> new HashMap<>()).put(uid, PodInfo.of(pod));
            nominatedNodeOf.put(uid, node);
        }
    }

    private void forgetNomination(String uid) {
        String previous = nominatedNodeOf.remove(uid);
        if (previous != null) {
            Map<String, PodInfo> pods = nominated.get(previous);
            pods.remove(uid);
            if (pods.isEmpty()) {
                nominated.remove(previous);
            }
        }
    }

    /** A new pending pod. */
    synchronized void add(Pod pod) {
        if (byUid.containsKey(pod.getMetadata().getUid())) {
            update(pod);
            return;
        }
        Entry e = new Entry(pod, clock.instant());
        byUid.put(e.uid(), e);
        nominate(pod);
        moveToActive(e);
    }

    /** A pending pod changed: spec, labels or annotations changes retry it; status changes do not. */
    synchronized void update(Pod pod) {
        Entry e = byUid.get(pod.getMetadata().getUid());
        if (e == null) {
            add(pod);
            return;
        }
        Pod old = e.pod;
        nominate(pod);
        switch (e.where) {
            case ACTIVE -> {
                active.remove(e);
                e.pod = pod;
                active.add(e);
            }
            case BACKOFF -> {
                backoff.remove(e);
                e.pod = pod;
                backoff.add(e);
            }
            case IN_FLIGHT -> e.pod = pod;
            case UNSCHEDULABLE -> {
                e.pod = pod;
                if (schedulingPropertiesChanged(old, pod)) {
                    place(e, null);
                    if (e.gatingPlugin == null && isBackingOff(e)) {
                        toBackoff(e);
                    } else {
                        moveToActive(e);
                    }
                }
            }
            default -> throw new IllegalStateException(e.where.toString());
        }
    }

    /** The pod is gone, or bound by someone else: it leaves the queue. */
    synchronized void delete(Pod pod) {
        Entry e = byUid.get(pod.getMetadata().getUid());
        if (e == null) {
            return;
        }
        if (e.where == Where.IN_FLIGHT) {
            e.pod = pod; // done() or the failure handler drops it
            byUid.remove(e.uid());
            nominate(pod);
            return;
        }
        remove(e);
    }

    /** The next pod to schedule; blocks while none is active. Null once closed. */
    synchronized Popped pop() throws InterruptedException {
        while (active.isEmpty() && !closed) {
            wait();
        }
        if (closed) {
            return null;
        }
        Entry e = active.poll();
        place(e, Where.IN_FLIGHT);
        e.attempts++;
        e.cycle = ++schedulingCycle;
        e.rejectors = Set.of();
        return new Popped(e.info(), e.cycle);
    }

    /** The next pod if one is active now, without waiting (tests). */
    synchronized Popped poll() {
        if (active.isEmpty()) {
            return null;
        }
        try {
            return pop();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The pod's scheduling attempt succeeded (it was assumed and is being bound): it leaves the queue. */
    synchronized void done(String uid) {
        Entry e = byUid.get(uid);
        if (e != null && e.where == Where.IN_FLIGHT) {
            byUid.remove(uid);
            forgetNomination(uid); // assumed on a node: its nomination is over
        }
    }

    /**
     * The pod's attempt failed. Rejected by plugins, it waits in the unschedulable pool for an event those plugins
     * registered, unless such an event came during the attempt (then it only backs off); an error backs off.
     *
     * @param pod the pod as it is now (the caller checked that it still exists)
     * @param rejectors the plugins that turned the pod away (empty: an error)
     */
    synchronized void requeue(QueuedPodInfo info, Pod pod, Set<String> rejectors, long podCycle) {
        Entry e = byUid.get(pod.getMetadata().getUid());
        if (e == null) { // its binding failed after it left the queue
            e = new Entry(info);
            byUid.put(e.uid(), e);
        }
        if (e.where != Where.IN_FLIGHT || !stillPending(pod)) {
            return; // bound meanwhile, or already queued again
        }
        e.pod = pod;
        e.timestamp = clock.instant();
        e.backoffExpiry = null;
        e.rejectors = Set.copyOf(rejectors);
        if (rejectors.isEmpty() || moveRequestCycle >= podCycle) {
            toBackoff(e);
        } else {
            place(e, Where.UNSCHEDULABLE);
        }
    }

    /** A cluster event: unschedulable pods it may help go to the back-off queue or, done backing off, active. */
    synchronized void moveAllToActiveOrBackoff(ClusterEvent event) {
        if (!interested.test(null, event)) {
            return; // no plugin waits for this kind of change: nothing moves, and attempts in flight are not affected
        }
        for (Entry e : new ArrayList<>(unschedulable.values())) {
            if (e.gatingPlugin == null
                    && (e.rejectors.isEmpty() || interested.test(e.rejectors, event))) {
                requeueAfterBackoff(e);
            }
        }
        moveRequestCycle = schedulingCycle;
    }

    /** Moves pods whose back-off is over to the active queue (every second). */
    synchronized void flushBackoffCompleted() {
        Instant now = clock.instant();
        while (!backoff.isEmpty() && !backoff.peek().backoffExpiry.isAfter(now)) {
            Entry e = backoff.poll();
            place(e, null);
            moveToActive(e);
        }
    }

    /** Retries pods that waited in the unschedulable pool for over 5 minutes (every 30 seconds). */
    synchronized void flushUnschedulableLeftover() {
        Instant now = clock.instant();
        for (Entry e : new ArrayList<>(unschedulable.values())) {
            if (e.gatingPlugin == null
                    && Duration.between(e.timestamp, now).compareTo(MAX_IN_UNSCHEDULABLE) > 0) {
                requeueAfterBackoff(e);
            }
        }
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Counts of pods per queue: active, backoff, unschedulable (including gated), in flight. */
    synchronized Map<String, Integer> sizes() {
        Map<String, Integer> sizes = new HashMap<>();
        for (Where w : Where.values()) {
            sizes.put(w.name().toLowerCase(java.util.Locale.ROOT), 0);
        }
        byUid.values().forEach(e -> sizes.merge(e.where.name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
        return sizes;
    }

    /** The back-off of the pod's next attempt: 1 s doubling per attempt, at most 10 s. */
    Duration backoffDuration(int attempts) {
        if (attempts <= 0) {
            return Duration.ZERO;
        }
        Duration d = initialBackoff;
        for (int i = 1; i < attempts; i++) {
            if (d.compareTo(maxBackoff.minus(d)) > 0) {
                return maxBackoff;
            }
            d = d.plus(d);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private void requeueAfterBackoff(Entry e) {
        place(e, null);
        if (isBackingOff(e)) {
            toBackoff(e);
        } else {
            moveToActive(e);
        }
    }

    private boolean isBackingOff(Entry e) {
        return expiry(e).isAfter(clock.instant());
    }

    private Instant expiry(Entry e) {
        if (e.backoffExpiry == null) {
            e.backoffExpiry = e.timestamp.plus(backoffDuration(e.attempts));
        }
        return e.backoffExpiry;
    }

    private void toBackoff(Entry e) {
        expiry(e);
        place(e, Where.BACKOFF);
        backoff.add(e);
    }

    private void moveToActive(Entry e) {
        Status gate = preEnqueue.apply(e.pod);
        if (!gate.isSuccess()) {
            e.gatingPlugin = Objects.requireNonNullElse(gate.plugin(), "PreEnqueue");
            e.rejectors = Set.of(e.gatingPlugin);
            place(e, Where.UNSCHEDULABLE);
            return;
        }
        e.gatingPlugin = null;
        place(e, Where.ACTIVE);
        active.add(e);
        notifyAll();
    }

    private void place(Entry e, Where where) {
        if (e.where == Where.UNSCHEDULABLE) {
            unschedulable.remove(e.uid());
        }
        e.where = where;
        if (where == Where.UNSCHEDULABLE) {
            unschedulable.put(e.uid(), e);
        }
    }

    private void remove(Entry e) {
        switch (e.where) {
            case ACTIVE -> active.remove(e);
            case BACKOFF -> backoff.remove(e);
            default -> {
            }
        }
        place(e, null);
        byUid.remove(e.uid());
        nominate(e.pod);
    }

    private static boolean stillPending(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty();
    }

    /** kube-scheduler's isPodUpdated: anything but status, resourceVersion, generation, finalizers changed. */
    static boolean schedulingPropertiesChanged(Pod old, Pod updated) {
        return !Objects.equals(old.getSpec(), updated.getSpec())
                || !Objects.equals(old.getMetadata().getLabels(), updated.getMetadata().getLabels())
                || !Objects.equals(old.getMetadata().getAnnotations(), updated.getMetadata().getAnnotations())
                || !Objects.equals(old.getMetadata().getOwnerReferences(), updated.getMetadata().getOwnerReferences());
    }

    /** Pods in the unschedulable pool (including gated ones), for reporting. */
    synchronized List<Pod> unschedulablePods() {
        List<Pod> pods = new ArrayList<>();
        unschedulable.values().forEach(e -> pods.add(e.pod));
        return pods;
    }

    /** Whether the queue holds the pod anywhere (including in flight). */
    synchronized boolean contains(String uid) {
        return byUid.containsKey(uid);
    }
}
