package io.keelson.watch;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A watcher's bounded queue between the dispatcher (which offers and never waits) and the listener's
 * drain loop, plus the "a drain is scheduled" bit, so exactly one drain runs per watcher at a time and
 * none is lost. Once ended it takes nothing more; the end event comes out after every buffered event.
 * All methods are atomic ({@code this} guards every field).
 */
final class WatchBuffer {

    /** What an offer did. */
    enum Offer {
        /** Taken; a drain is already scheduled. */
        TAKEN,
        /** Taken; the caller must schedule a drain. */
        TAKEN_START_DRAIN,
        /** Not taken: no room for the whole batch. */
        FULL,
        /** Not taken: the watch has ended. */
        ENDED
    }

    private final int capacity;
    private final ArrayDeque<CacheEvent> events = new ArrayDeque<>();
    private CacheEvent end;
    private boolean endTaken;
    private boolean draining;
    private boolean refused;

    WatchBuffer(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Adds the whole batch or nothing. A batch larger than the capacity is taken into an empty buffer, so
     * one big revision cannot stall a watcher for good.
     */
    synchronized Offer offer(List<CacheEvent> batch) {
        if (end != null) {
            return Offer.ENDED;
        }
        if (!events.isEmpty() && events.size() + batch.size() > capacity) {
            refused = true;
            return Offer.FULL;
        }
        events.addAll(batch);
        return startDrain();
    }

    /** Ends the stream with {@code endEvent} unless it has already ended. */
    synchronized Offer end(CacheEvent endEvent) {
        if (end != null) {
            return Offer.ENDED;
        }
        end = endEvent;
        return startDrain();
    }

    /** The next event for the listener; null means the drain must stop (and a later offer starts a new one). */
    synchronized CacheEvent poll() {
        CacheEvent next = events.poll();
        if (next != null) {
            return next;
        }
        if (end != null && !endTaken) {
            endTaken = true;
            return end;
        }
        draining = false;
        return null;
    }

    /**
     * Whether an offer was refused since the last call and the buffer is now at most half full: the moment
     * to catch the watcher up. Checked by the drain loop, under the same lock as the refusal, so no refusal
     * goes unnoticed however the two threads interleave.
     */
    synchronized boolean roomAfterRefusal() {
        if (refused && events.size() <= capacity / 2) {
            refused = false;
            return true;
        }
        return false;
    }

    synchronized int free() {
        return capacity - events.size();
    }

    synchronized boolean isEnded() {
        return end != null;
    }

    private Offer startDrain() {
        if (draining) {
            return Offer.TAKEN;
        }
        draining = true;
        return Offer.TAKEN_START_DRAIN;
    }
}
