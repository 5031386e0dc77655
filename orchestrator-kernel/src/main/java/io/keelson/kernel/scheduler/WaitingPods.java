package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.kernel.scheduler.framework.WaitingPod;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Pods held by Permit plugins' Wait, by uid: allowed by every holder, or rejected by one or by a timeout. */
final class WaitingPods {
    private final Map<String, Held> pods = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    WaitingPods(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** A pod held by some plugins, each for its timeout; {@link Held#outcome()} completes when it is decided. */
    final class Held implements WaitingPod {
        private final Pod pod;
        private final Map<String, ScheduledFuture<?>> pending = new HashMap<>();
        private final CompletableFuture<Status> outcome = new CompletableFuture<>();

        Held(Pod pod) {
            this.pod = pod;
        }

        @Override
        public Pod pod() {
            return pod;
        }

        @Override
        public synchronized Set<String> pendingPlugins() {
            return Set.copyOf(pending.keySet());
        }

        @Override
        public synchronized void allow(String plugin) {
            ScheduledFuture<?> t = pending.remove(plugin);
            if (t != null) {
                t.cancel(false);
            }
            if (pending.isEmpty()) {
                finish(Status.success());
            }
        }

        @Override
        public synchronized void reject(String plugin, String message) {
            pending.values().forEach(t -> t.cancel(false));
            pending.clear();
            finish(Status.unschedulable(message).withPlugin(plugin));
        }

        CompletableFuture<Status> outcome() {
            return outcome;
        }

        private void finish(Status s) {
            pods.remove(pod.getMetadata().getUid());
            outcome.complete(s);
        }

        private synchronized void hold(String plugin, Duration timeout) {
            pending.put(plugin, timer.schedule(() -> reject(plugin, "rejected due to timeout after waiting "
                    + timeout.toMillis() / 1000.0 + "s at plugin " + plugin), timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Holds {@code pod} for each plugin in {@code timeouts}. */
    Held hold(Pod pod, Map<String, Duration> timeouts) {
        Held h = new Held(pod);
        pods.put(pod.getMetadata().getUid(), h);
        timeouts.forEach(h::hold);
        return h;
    }

    WaitingPod get(String uid) {
        return pods.get(uid);
    }
}
