package io.keelson.kernel.scheduler.framework;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The outcome of a plugin at an extension point, as kube-scheduler's {@code framework.Status}: a code, the reasons
 * (each counted separately in a {@code FailedScheduling} message), and the plugin that produced it.
 */
public final class Status {
    /** kube-scheduler's status codes. */
    public enum Code {
        /** The plugin ran and the pod may proceed. */
        SUCCESS,
        /** An internal error: the pod is retried after a back-off, no preemption is tried. */
        ERROR,
        /** The pod does not fit here; preemption may help. */
        UNSCHEDULABLE,
        /** The pod does not fit here and preemption cannot help (e.g. a node selector). */
        UNSCHEDULABLE_AND_UNRESOLVABLE,
        /** Permit only: the pod waits (for a gang, an approval) before binding. */
        WAIT,
        /** The plugin has nothing to do for this pod (PreFilter, PreScore: its Filter or Score is skipped too). */
        SKIP,
        /** The pod waits for something outside the scheduler; it is retried without back-off. */
        PENDING
    }

    private static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), null, null);

    private final Code code;
    private final List<String> reasons;
    private final String plugin;
    private final Throwable error;

    private Status(Code code, List<String> reasons, String plugin, Throwable error) {
        this.code = code;
        this.reasons = reasons;
        this.plugin = plugin;
        this.error = error;
    }

    public static Status success() {
        return SUCCESS;
    }

    public static Status unschedulable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE, List.of(reasons), null, null);
    }

    public static Status unresolvable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons), null, null);
    }

    public static Status of(Code code, String... reasons) {
        return code == Code.SUCCESS && reasons.length == 0 ? SUCCESS
                : new Status(code, List.of(reasons), null, null);
    }

    public static Status error(String message) {
        return new Status(Code.ERROR, List.of(message), null, null);
    }

    public static Status error(Throwable error) {
        return new Status(Code.ERROR, List.of(String.valueOf(error.getMessage())), null, error);
    }

    public static Status skip() {
        return new Status(Code.SKIP, List.of(), null, null);
    }

    /** The same status, attributed to {@code plugin} (the runtime does this for every plugin's status). */
    public Status withPlugin(String plugin) {
        return Objects.equals(plugin, this.plugin) ? this : new Status(code, reasons, plugin, error);
    }

    public Code code() {
        return code;
    }

    public List<String> reasons() {
        return reasons;
    }

    /** The reasons joined by ", ", as kube-scheduler's {@code Status.Message()}. */
    public String message() {
        return String.join(", ", reasons);
    }

    /**
     * The reasons of a FitError as kube-scheduler counts them: each reason with the number of nodes that gave it,
     * sorted as text and joined by ", " ({@code 2 Insufficient cpu, 3 node(s) had untolerated taint {k: v}});
     * {@code absent} more nodes count with the reasons of {@code absentStatus}. Empty when there are none.
     */
    public static String reasonHistogram(Collection<Status> statuses, int absent, Status absentStatus) {
        Map<String, Integer> counts = new TreeMap<>();
        statuses.forEach(s -> s.reasons().forEach(r -> counts.merge(r, 1, Integer::sum)));
        if (absent > 0) {
            absentStatus.reasons().forEach(r -> counts.merge(r, absent, Integer::sum));
        }
        List<String> histogram = new ArrayList<>();
        counts.forEach((reason, n) -> histogram.add(n + " " + reason));
        Collections.sort(histogram);
        return String.join(", ", histogram);
    }

    /** The plugin that produced this status; null before the runtime attributes it. */
    public String plugin() {
        return plugin;
    }

    /** The exception behind an {@link Code#ERROR}, if there was one. */
    public Throwable cause() {
        return error;
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isSkip() {
        return code == Code.SKIP;
    }

    /** Whether the pod was turned away: Unschedulable, UnschedulableAndUnresolvable or Pending. */
    public boolean isRejected() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE || code == Code.PENDING;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Status s && s.code == code && s.reasons.equals(reasons) && Objects.equals(s.plugin, plugin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, reasons, plugin);
    }

    @Override
    public String toString() {
        return code + (reasons.isEmpty() ? "" : " " + reasons) + (plugin == null ? "" : " (" + plugin + ")");
    }
}
