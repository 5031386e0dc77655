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
 *   <li>{@code keelson.io/ready: "false"}: they run but never pass their readiness probe.</li>
 * </ul>
 */
record ContainerBehaviour(Duration exitAfter, int exitCode, boolean ready) {
    static final String EXIT_AFTER = "keelson.io/exit-after";
    static final String EXIT_CODE = "keelson.io/exit-code";
    static final String READY = "keelson.io/ready";
    private static final ContainerBehaviour FOREVER = new ContainerBehaviour(null, 0, true);

    /** The pod's declared behaviour; annotations that do not parse are ignored (the default applies). */
    static ContainerBehaviour of(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        if (a == null || (!a.containsKey(EXIT_AFTER) && !a.containsKey(EXIT_CODE) && !a.containsKey(READY))) {
            return FOREVER;
        }
        return new ContainerBehaviour(duration(a.get(EXIT_AFTER)), code(a.get(EXIT_CODE)),
                !"false".equalsIgnoreCase(a.get(READY)));
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
