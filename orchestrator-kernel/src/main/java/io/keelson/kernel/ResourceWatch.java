package io.keelson.kernel;

/** A running watch; its events go to the listener it was started with. */
public interface ResourceWatch extends AutoCloseable {
    /** Ends the watch: the listener gets what was already buffered, then a CLOSED event. */
    @Override
    void close();
}
