package io.keelson.kernel.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * client-go's EventCorrelator ({@code tools/record/events_cache.go}), in three steps per event:
 * <ol>
 *   <li>aggregate: the 10th distinct message for one object, type and reason within 10 minutes turns into one
 *       event "(combined from similar events): ...", into which later ones fold;</li>
 *   <li>observe: an event seen before (same object, type, reason, message) becomes a patch of the earlier one,
 *       with its count raised;</li>
 *   <li>spam filter: per source and object, a burst of 25, then one event per 5 minutes.</li>
 * </ol>
 * Not thread-safe: the recorder calls it from its one writer thread.
 */
final class EventCorrelator {
    static final int MAX_LRU_ENTRIES = 4096;
    static final int AGGREGATE_MAX_EVENTS = 10;
    static final Duration AGGREGATE_INTERVAL = Duration.ofSeconds(600);
    static final int SPAM_BURST = 25;
    static final double SPAM_QPS = 1.0 / 300;
    static final String COMBINED_PREFIX = "(combined from similar events): ";

    /** What to write: the event, and whether it patches one already written (count > 1). */
    record Outcome(Event event, boolean patch, boolean skip) {
    }

    private record Aggregate(Set<String> messages, Instant lastTimestamp) {
    }

    private record Observed(int count, String firstTimestamp, String name, String resourceVersion) {
    }

    private final Clock clock;
    private final java.util.function.ToLongFunction<Instant> nameSuffix;
    private final Map<String, Aggregate> aggregates = lru();
    private final Map<String, Observed> observed = lru();
    private final Map<String, double[]> buckets = lru(); // tokens, last refill (epoch nanos)

    EventCorrelator(Clock clock, java.util.function.ToLongFunction<Instant> nameSuffix) {
        this.clock = clock;
        this.nameSuffix = nameSuffix;
    }

    Outcome correlate(Event event) {
        Instant now = clock.instant();
        String key = eventKey(event);
        String aggregateKey = aggregateKey(event);
        Aggregate aggregate = aggregates.get(aggregateKey);
        if (aggregate == null || Duration.between(aggregate.lastTimestamp(), now).compareTo(AGGREGATE_INTERVAL) > 0) {
            aggregate = new Aggregate(new HashSet<>(), now);
        }
        aggregate.messages().add(event.getMessage());
        aggregates.put(aggregateKey, new Aggregate(aggregate.messages(), now));
        if (aggregate.messages().size() >= AGGREGATE_MAX_EVENTS) {
            aggregate.messages().remove(aggregate.messages().iterator().next());
            event = combined(event, now);
            key = aggregateKey;
        }
        Observed seen = observed.get(key);
        boolean patch = false;
        if (seen != null && seen.count() > 0) {
            event.getMetadata().setName(seen.name());
            event.getMetadata().setResourceVersion(seen.resourceVersion());
            event.setFirstTimestamp(seen.firstTimestamp());
            event.setCount(seen.count() + 1);
            patch = true;
        }
        observed.put(key, new Observed(event.getCount(), event.getFirstTimestamp(), event.getMetadata().getName(),
                event.getMetadata().getResourceVersion()));
        return new Outcome(event, patch, !tryAccept(spamKey(event), now));
    }

    /** The server's answer: later events fold into the stored one. */
    void updateState(Event stored) {
        observed.put(eventKey(stored), new Observed(stored.getCount() == null ? 1 : stored.getCount(),
                stored.getFirstTimestamp(), stored.getMetadata().getName(), stored.getMetadata().getResourceVersion()));
    }

    private Event combined(Event event, Instant now) {
        String timestamp = EventRecorder.timestamp(now);
        Event e = new Event();
        e.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(event.getInvolvedObject().getName() + "." + Long.toHexString(nameSuffix.applyAsLong(now)))
                .withNamespace(event.getMetadata().getNamespace()).build());
        e.setCount(1);
        e.setFirstTimestamp(timestamp);
        e.setLastTimestamp(timestamp);
        e.setMessage(COMBINED_PREFIX + event.getMessage());
        e.setType(event.getType());
        e.setReason(event.getReason());
        e.setSource(event.getSource());
        e.setInvolvedObject(event.getInvolvedObject());
        return e;
    }

    /** A token bucket per source and object, created full on first use. */
    private boolean tryAccept(String key, Instant now) {
        double[] bucket = buckets.computeIfAbsent(key, k -> new double[] {SPAM_BURST, nanos(now)});
        double elapsedSeconds = (nanos(now) - bucket[1]) / 1e9;
        bucket[0] = Math.min(SPAM_BURST, bucket[0] + elapsedSeconds * SPAM_QPS);
        bucket[1] = nanos(now);
        buckets.put(key, bucket);
        if (bucket[0] < 1) {
            return false;
        }
        bucket[0] -= 1;
        return true;
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static String eventKey(Event e) {
        ObjectReference o = e.getInvolvedObject();
        return String.join("", source(e), o.getKind(), o.getNamespace(), o.getName(), o.getFieldPath(), o.getUid(),
                o.getApiVersion(), e.getType(), e.getReason(), e.getMessage());
    }

    private static String aggregateKey(Event e) {
        ObjectReference o = e.getInvolvedObject();
        return String.join("", source(e), o.getKind(), o.getNamespace(), o.getName(), o.getUid(), o.getApiVersion(),
                e.getType(), e.getReason(), e.getReportingComponent(), e.getReportingInstance());
    }

    private static String spamKey(Event e) {
        ObjectReference o = e.getInvolvedObject();
        return String.join("", source(e), o.getKind(), o.getNamespace(), o.getName(), o.getUid(), o.getApiVersion());
    }

    private static String source(Event e) {
        return e.getSource() == null ? "" : nz(e.getSource().getComponent()) + nz(e.getSource().getHost());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_LRU_ENTRIES;
            }
        };
    }
}
