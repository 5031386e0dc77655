package io.keelson.kernel;

/**
 * The outcome of a delete.
 *
 * @param object   the object's last state: if {@code finished}, as it was when removed; otherwise as it is kept,
 *                 with {@code metadata.deletionTimestamp} set (finalizers or a pod's grace period remain)
 * @param finished whether the object is gone from the store
 */
public record DeleteResult<T>(T object, boolean finished) {
}
