package io.keelson.store;

/** A registered watch: its stream goes to the listener given to {@link KvStore#watch}. */
public interface Watch extends AutoCloseable {
    /** Unique on its member; -1 for a watch the store refused at creation (its only response was CANCELED). */
    long id();

    /**
     * Asks for a {@link WatchResponse.Kind#PROGRESS} response; it is sent once every change up to the
     * revision it carries has been delivered to this watch.
     */
    void requestProgress();

    /** Cancels the watch; the stream ends with a CANCELED response. */
    @Override
    void close();
}
