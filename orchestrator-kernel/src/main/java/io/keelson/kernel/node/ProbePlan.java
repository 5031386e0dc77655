package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * When the kubelet's probes would pass or fail for a pod's containers that started at {@code start}, from the
 * probes in the spec (the first container that has one of a kind) and the behaviour its annotations declare. A probe
 * runs first at its initialDelaySeconds, then every periodSeconds (10); it fails the container after
 * failureThreshold (3) failures in a row.
 *
 * @param startupDone  when the startup probe passes (null: no startup probe, the containers count as started)
 * @param startupKill  when a startup probe that never passes in time gets the containers killed (null: it passes)
 * @param readyAt      when the containers are first ready (null: never)
 * @param unreadyAt    when a readiness probe that starts failing takes the readiness back (null: never)
 * @param livenessKill when a liveness probe that starts failing gets the containers killed (null: never)
 */
record ProbePlan(Instant startupDone, Instant startupKill, Instant readyAt, Instant unreadyAt, Instant livenessKill) {
    /** The three probes, with the words the kubelet's events use for them. */
    enum Kind {
        STARTUP("startup", Container::getStartupProbe),
        READINESS("readiness", Container::getReadinessProbe),
        LIVENESS("liveness", Container::getLivenessProbe);

        private final String word;
        private final Function<Container, Probe> probe;

        Kind(String word, Function<Container, Probe> probe) {
            this.word = word;
            this.probe = probe;
        }

        String word() {
            return word;
        }

        String title() {
            return Character.toUpperCase(word.charAt(0)) + word.substring(1);
        }
    }

    static ProbePlan of(Pod pod, ContainerBehaviour behaviour, Instant start) {
        Probe startup = first(pod, Kind.STARTUP);
        Probe readiness = first(pod, Kind.READINESS);
        Probe liveness = first(pod, Kind.LIVENESS);
        Instant startupDone = null;
        if (startup != null) {
            Duration takes = behaviour.startupAfter() == null ? Duration.ZERO : behaviour.startupAfter();
            Duration passes = firstTickAtOrAfter(startup, takes);
            Duration deadline = delay(startup).plus(period(startup).multipliedBy(failures(startup) - 1L));
            if (passes.compareTo(deadline) > 0) {
                return new ProbePlan(null, start.plus(deadline), null, null, null);
            }
            startupDone = start.plus(passes);
        }
        Instant probing = startupDone == null ? start : startupDone; // readiness and liveness wait for startup
        Instant readyAt = null;
        if (behaviour.ready()) {
            readyAt = readiness == null ? probing : later(probing, start.plus(delay(readiness)));
        }
        Instant unreadyAt = readiness == null || readyAt == null || behaviour.readinessFailsAfter() == null ? null
                : failing(readiness, start, behaviour.readinessFailsAfter(), probing);
        Instant livenessKill = liveness == null || behaviour.livenessFailsAfter() == null ? null
                : failing(liveness, start, behaviour.livenessFailsAfter(), probing);
        return new ProbePlan(startupDone, null, readyAt, unreadyAt, livenessKill);
    }

    /** The probe tick of the failureThreshold-th failure once the probe starts failing at {@code start + after}. */
    private static Instant failing(Probe probe, Instant start, Duration after, Instant probing) {
        Instant firstFailure = later(probing, start.plus(firstTickAtOrAfter(probe, after)));
        return firstFailure.plus(period(probe).multipliedBy(failures(probe) - 1L));
    }

    /** The first probe time (initialDelay + k * period since the start) at or after {@code d}. */
    private static Duration firstTickAtOrAfter(Probe probe, Duration d) {
        Duration delay = delay(probe);
        if (d.compareTo(delay) <= 0) {
            return delay;
        }
        long period = period(probe).toMillis();
        long ticks = (d.minus(delay).toMillis() + period - 1) / period;
        return delay.plusMillis(ticks * period);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration delay(Probe p) {
        return Duration.ofSeconds(p.getInitialDelaySeconds() == null ? 0 : p.getInitialDelaySeconds());
    }

    private static Duration period(Probe p) {
        return Duration.ofSeconds(p.getPeriodSeconds() == null || p.getPeriodSeconds() < 1 ? 10 : p.getPeriodSeconds());
    }

    private static int failures(Probe p) {
        return p.getFailureThreshold() == null || p.getFailureThreshold() < 1 ? 3 : p.getFailureThreshold();
    }

    private static Probe first(Pod pod, Kind kind) {
        Container c = prober(pod, kind);
        return c == null ? null : kind.probe.apply(c);
    }

    /** The container whose probe of this kind the plan follows: the first that has one (null if none has). */
    static Container prober(Pod pod, Kind kind) {
        for (Container c : pod.getSpec().getContainers()) {
            if (kind.probe.apply(c) != null) {
                return c;
            }
        }
        return null;
    }

    /**
     * What a failing probe of {@code c} reports, as the kubelet's probers word it: an HTTP status, a refused
     * connection; an exec or gRPC probe has no output to show in the simulation.
     */
    static String failureOutput(Container c, Kind kind, String podIp) {
        Probe p = kind.probe.apply(c);
        if (p.getHttpGet() != null) {
            return "HTTP probe failed with statuscode: 500";
        }
        if (p.getTcpSocket() != null) {
            String port = p.getTcpSocket().getPort() == null ? "" : p.getTcpSocket().getPort().getIntVal() != null
                    ? String.valueOf(p.getTcpSocket().getPort().getIntVal()) : p.getTcpSocket().getPort().getStrVal();
            return "dial tcp " + (podIp == null ? "" : podIp) + ":" + port + ": connect: connection refused";
        }
        return "simulated " + kind.word() + " failure";
    }
}
