package io.keelson.kernel.controller;

/** A controller a {@link io.keelson.kernel.manager.ControllerManager} starts while it leads and stops after. */
public interface ManagedController extends AutoCloseable {
    /** Starts the controller's workers (its informers are started by the manager's factory). */
    void start();

    /** Stops the workers; the informers are closed by the manager. */
    @Override
    void close();
}
