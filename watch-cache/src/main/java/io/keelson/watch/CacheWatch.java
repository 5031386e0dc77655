package io.keelson.watch;

/** A running watch on a {@link WatchCache}; its events go to the listener it was started with. */
public interface CacheWatch extends AutoCloseable {
    /** Unique within its cache. */
    long id();

    /** Ends the watch; the listener receives the events already buffered, then an ENDED(CLOSED) event. */
    @Override
    void close();
}
