package io.keelson.kernel.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.PatchType;
import io.keelson.kernel.Resources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events about objects, as client-go's recorder does: named {@code <object>.<hex nanos>}, in the
 * object's namespace ({@code default} for cluster-scoped ones), repeats folded into one Event (count, first and
 * last timestamps), similar ones aggregated and spam limited ({@link EventCorrelator}). Events expire an hour
 * (the kernel's event TTL) after their last update.
 *
 * <p>Recording never blocks: events wait in a bounded queue (1,000) written by one thread, and are dropped when
 * it is full, as client-go drops them.
 */
public final class EventRecorder implements AutoCloseable {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    static final int QUEUE_SIZE = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
            .build();

    private final Kernel kernel;
    private final String component;
    private final String host;
    private final Clock clock;
    private final EventCorrelator correlator;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final DropReports drops;
    /** The last name suffix handed out (nanoseconds). */
    private final AtomicLong lastSuffix = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    private EventRecorder(Kernel kernel, String component, String host, Clock clock) {
        this.kernel = kernel;
        this.component = component;
        this.host = host;
        this.clock = clock;
        this.correlator = new EventCorrelator(clock, this::nameSuffix);
        this.drops = new DropReports(clock);
        this.writer = new Thread(this::writeLoop, "keelson-events-" + component);
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * A recorder reporting as {@code component} (the Event's source, like {@code default-scheduler}).
     *
     * @param host the source host ({@code reportingInstance}); "" for none
     */
    public static EventRecorder create(Kernel kernel, String component, String host, Clock clock) {
        return new EventRecorder(Objects.requireNonNull(kernel), Objects.requireNonNull(component),
                host == null ? "" : host, Objects.requireNonNull(clock));
    }

    /** Records an event about {@code object}; {@code type} is {@link #NORMAL} or {@link #WARNING}. */
    public void event(HasMetadata object, String type, String reason, String message) {
        eventFrom(host, object, type, reason, message);
    }

    /**
     * Records an event as {@link #event} does, reported from {@code host} rather than the recorder's: for one
     * component speaking for many hosts, as the simulated kubelets share one recorder.
     */
    public void eventFrom(String host, HasMetadata object, String type, String reason, String message) {
        if (!NORMAL.equals(type) && !WARNING.equals(type)) {
            throw new IllegalArgumentException("unsupported event type: '" + type + "'");
        }
        if (closed) {
            return;
        }
        Event event = makeEvent(reference(object), type, reason, message, host == null ? "" : host);
        if (queue.offer(event)) {
            accepted.incrementAndGet();
        } else {
            long report = drops.drop();
            if (report > 0) {
                LOG.warn("event queue full: {} event(s) dropped, the latest {} {} on {} ({} in all; reported at most"
                        + " every {} s)", report, type, reason, event.getInvolvedObject().getName(), drops.total(),
                        DropReports.INTERVAL.toSeconds());
            }
        }
    }

    /** {@link #event} with a {@link String#format} message. */
    public void eventf(HasMetadata object, String type, String reason, String format, Object... args) {
        event(object, type, reason, String.format(format, args));
    }

    /** Waits until every event recorded so far has been written or dropped (for tests and shutdown). */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (written.get() < accepted.get()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return drops.total();
    }

    private Event makeEvent(ObjectReference ref, String type, String reason, String message, String host) {
        Instant now = clock.instant();
        String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
        Event e = new Event();
        e.setMetadata(new ObjectMetaBuilder().withName(ref.getName() + "." + Long.toHexString(nameSuffix(now)))
                .withNamespace(namespace).build());
        e.setInvolvedObject(ref);
        e.setType(type);
        e.setReason(reason);
        e.setMessage(message);
        e.setCount(1);
        e.setFirstTimestamp(timestamp(now));
        e.setLastTimestamp(timestamp(now));
        e.setSource(new EventSourceBuilder().withComponent(component).withHost(host.isEmpty() ? null : host).build());
        e.setReportingComponent(component);
        e.setReportingInstance(host);
        return e;
    }

    /**
     * The time in nanoseconds, as the name suffix; never the same twice, so that two events in one nanosecond (or
     * under a clock that stands still) get distinct names.
     */
    private long nameSuffix(Instant now) {
        long nanos = EventCorrelator.nanos(now);
        return lastSuffix.accumulateAndGet(nanos, (last, t) -> t > last ? t : last + 1);
    }

    private static ObjectReference reference(HasMetadata o) {
        return new ObjectReferenceBuilder().withKind(o.getKind()).withApiVersion(o.getApiVersion())
                .withNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
                .withUid(o.getMetadata().getUid()).withResourceVersion(o.getMetadata().getResourceVersion()).build();
    }

    static String timestamp(Instant t) {
        return io.keelson.kernel.Timestamps.time(t);
    }

    private void writeLoop() {
        while (!closed || !queue.isEmpty()) {
            Event event;
            try {
                event = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (event == null) {
                continue;
            }
            try {
                write(event);
            } catch (RuntimeException e) {
                LOG.info("could not write event {} {}: {}", event.getReason(), event.getMetadata().getName(), e.toString());
            } finally {
                written.incrementAndGet();
            }
        }
    }

    /** A repeat patches the stored Event (count, lastTimestamp, message); one that is gone is created again. */
    private void write(Event event) {
        EventCorrelator.Outcome outcome = correlator.correlate(event);
        if (outcome.skip()) {
            return;
        }
        Event e = outcome.event();
        Resources<Event> events = kernel.resources(Event.class).inNamespace(e.getMetadata().getNamespace());
        Event stored;
        if (outcome.patch()) {
            Map<String, Object> changes = new LinkedHashMap<>();
            changes.put("count", e.getCount());
            changes.put("lastTimestamp", e.getLastTimestamp());
            changes.put("message", e.getMessage());
            String patch = JSON.writeValueAsString(changes);
            try {
                stored = events.patch(e.getMetadata().getName(), PatchType.MERGE, patch);
            } catch (ApiException ex) {
                if (!ex.isNotFound()) {
                    throw ex;
                }
                e.getMetadata().setResourceVersion(null);
                stored = create(events, e);
            }
        } else {
            stored = create(events, e);
        }
        if (stored != null) {
            correlator.updateState(stored);
        }
    }

    private static Event create(Resources<Event> events, Event e) {
        try {
            return events.create(e);
        } catch (ApiException ex) {
            // AlreadyExists (a name reused within a nanosecond) and a terminating namespace are expected
            if (!"AlreadyExists".equals(ex.reason()) && ex.code() != 403) {
                throw ex;
            }
            return null;
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        long unreported = drops.unreported();
        if (unreported > 0) {
            LOG.warn("event queue full: {} more event(s) dropped ({} in all)", unreported, drops.total());
        }
        try {
            writer.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
