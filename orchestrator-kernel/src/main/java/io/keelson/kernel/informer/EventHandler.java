package io.keelson.kernel.informer;

/**
 * Receives an informer's notifications. For one handler, calls come one at a time and in the order the
 * informer saw the changes; different handlers run independently. Handlers must be quick (hand work to a
 * {@link io.keelson.kernel.workqueue.WorkQueue}) and must not modify the objects they are given: those are the
 * informer's cached objects, shared by every consumer.
 */
public interface EventHandler<T> {
    /**
     * A new object, or one already cached when the handler was added or when the informer (re)listed.
     *
     * @param initialList whether it comes from a list rather than a watch event
     */
    default void onAdd(T object, boolean initialList) {
    }

    /** An object changed (or, on resync, {@code old == current}). */
    default void onUpdate(T old, T current) {
    }

    /**
     * An object was deleted.
     *
     * @param finalStateUnknown the informer missed the delete (it re-listed): {@code object} is the last state it
     *                          knew, not the state at deletion
     */
    default void onDelete(T object, boolean finalStateUnknown) {
    }
}
