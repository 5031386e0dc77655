package io.keelson.kernel.controller;

/**
 * Drives one object toward its desired state. The runtime never reconciles one key on two workers at once, and a
 * key changed while it is being reconciled is reconciled once more afterwards.
 */
@FunctionalInterface
public interface Reconciler {
    /**
     * Reconciles the object of {@code key} ({@code namespace/name}, or {@code name}); the object may be gone.
     * Throwing retries the key with the queue's back-off.
     */
    Result reconcile(String key) throws Exception;
}
