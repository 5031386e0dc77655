package io.keelson.store;

import java.util.List;

/**
 * One message of a watch stream, as etcd's {@code WatchResponse}. Events are in revision order and
 * every event of one revision is in the same response.
 *
 * @param header          the member's revision when the response was sent
 * @param kind            what the response says
 * @param events          the changes ({@link Kind#EVENTS} only)
 * @param compactRevision for a watch canceled because its revision was compacted: the compact revision
 * @param cancelReason    why the watch ended ({@link Kind#CANCELED} only), empty otherwise
 */
public record WatchResponse(ResponseHeader header, Kind kind, List<Event> events, long compactRevision,
                            String cancelReason) {

    public enum Kind {
        /** The watch is registered: events after the header revision (or from the start revision) follow. */
        CREATED,
        /** Changes. */
        EVENTS,
        /** Every change up to the header revision has been delivered (a bookmark). */
        PROGRESS,
        /** The watch ended; nothing follows. */
        CANCELED
    }

    public WatchResponse {
        events = List.copyOf(events);
    }

    public boolean canceled() {
        return kind == Kind.CANCELED;
    }
}
