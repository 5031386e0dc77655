package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What a simulated pod's containers do, declared in the pod's annotations (there is no runtime to run them): by
 * default they start and run, ready, for ever.
 * <ul>
 *   <li>{@code keelson.io/exit-after}: they exit after running this long (a Go-style duration: {@code 30s},
 *       {@code 2m}, {@code 1h}); the restart policy decides what follows;</li>
 *   <li>{@code keelson.io/exit-code}: with this code (default 0);</li>
 *   <li>{@code keelson.io/ready: "false"}: they run but never pass their readiness probe;</li>
 *   <li>{@code keelson.io/startup-after}: their startup probe passes only after this long (killed and restarted
 *       if that is beyond its failureThreshold);</li>
 *   <li>{@code keelson.io/readiness-fails-after}, {@code keelson.io/liveness-fails-after}: that probe starts
 *       failing after they ran this long: the pod turns not ready, or its containers are killed and restarted.</li>
 * </ul>
 * The probes act only on containers that declare them, as the kubelet's do. Pods without such annotations follow
 * the nodes' stage rules ({@link SimulatedNodes.Stage}).
 */
record ContainerBehaviour(Duration exitAfter, int exitCode, boolean ready, Duration startupAfter,
                          Duration readinessFailsAfter, Duration livenessFailsAfter) {
    static final String EXIT_AFTER = "keelson.io/exit-after";
    static final String EXIT_CODE = "keelson.io/exit-code";
    static final String READY = "keelson.io/ready";
    static final String STARTUP_AFTER = "keelson.io/startup-after";
    static final String READINESS_FAILS_AFTER = "keelson.io/readiness-fails-after";
    static final String LIVENESS_FAILS_AFTER = "keelson.io/liveness-fails-after";
    static final ContainerBehaviour FOREVER = new ContainerBehaviour(null, 0, true, null, null, null);

    /** Whether the pod declares a behaviour of its own (any {@code keelson.io/} annotation). */
    static boolean declared(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return a != null && a.keySet().stream().anyMatch(k -> k.startsWith("keelson.io/"));
    }

    /** The pod's declared behaviour; annotations that do not parse are ignored (the default applies). */
    static ContainerBehaviour of(Pod pod) {
        if (!declared(pod)) {
            return FOREVER;
        }
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return new ContainerBehaviour(duration(a.get(EXIT_AFTER)), code(a.get(EXIT_CODE)),
                !"false".equalsIgnoreCase(a.get(READY)), duration(a.get(STARTUP_AFTER)),
                duration(a.get(READINESS_FAILS_AFTER)), duration(a.get(LIVENESS_FAILS_AFTER)));
    }

    ContainerBehaviour exitingAfter(Duration after, int code) {
        return new ContainerBehaviour(after, code, ready, startupAfter, readinessFailsAfter, livenessFailsAfter);
    }

    ContainerBehaviour failingReadinessAfter(Duration after) {
        return new ContainerBehaviour(exitAfter, exitCode, ready, startupAfter, after, livenessFailsAfter);
    }

    ContainerBehaviour failingLivenessAfter(Duration after) {
        return new ContainerBehaviour(exitAfter, exitCode, ready, startupAfter, readinessFailsAfter, after);
    }

    private static Duration duration(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Duration.parse("PT" + v.toUpperCase(java.util.Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int code(String v) {
        if (v == null) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
