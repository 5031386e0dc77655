package io.keelson.kernel.controller;

/** A controller a {@link io.keelson.kernel.manager.ControllerManager} starts while it leads and stops after. */
public interface ManagedController extends AutoCloseable {
    /** Starts the controller's workers (its informers are started by the manager's factory). */
    void start();

    /**
     * Nothing to reconcile now and nothing being reconciled (work waiting for a delay does not count): what a
     * test driving a fake clock waits for before it moves the clock. Controllers without a work queue are idle.
     */
    default boolean isIdle() {
        return true;
    }

    /** Stops the workers; the informers are closed by the manager. */
    @Override
    void close();
}
