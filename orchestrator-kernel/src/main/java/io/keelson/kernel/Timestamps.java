package io.keelson.kernel;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Kubernetes' text for a point in time, as fabric8's model carries it: {@code metav1.Time}. */
public final class Timestamps {
    private Timestamps() {
    }

    /** RFC 3339 in UTC to the second, as metav1.Time serialises ({@code 2026-11-30T06:31:17Z}). */
    public static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
