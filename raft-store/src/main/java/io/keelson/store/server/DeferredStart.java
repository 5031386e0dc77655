package io.keelson.store.server;

import io.grpc.ServerCall;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * The listener of a call whose handler starts later, once an interceptor has what it needs. Events that arrive
 * before the handler's listener exists (a cancellation, readiness, or the first message, which the handler may
 * request while it starts) are passed on to it in order.
 */
final class DeferredStart<Q> extends ServerCall.Listener<Q> {
    private final Queue<Consumer<ServerCall.Listener<Q>>> pending = new ArrayDeque<>();
    private ServerCall.Listener<Q> delegate;
    private boolean delivering;

    /** Starts the handler's listener: every event so far, then every later one, goes to it. */
    void start(ServerCall.Listener<Q> listener) {
        synchronized (this) {
            delegate = listener;
            delivering = true;
        }
        deliverPending();
    }

    private void on(Consumer<ServerCall.Listener<Q>> event) {
        synchronized (this) {
            pending.add(event);
            if (delegate == null || delivering) {
                return; // the start, or the delivery under way, passes it on
            }
            delivering = true;
        }
        deliverPending();
    }

    private void deliverPending() {
        while (true) {
            Consumer<ServerCall.Listener<Q>> event;
            ServerCall.Listener<Q> target;
            synchronized (this) {
                event = pending.poll();
                if (event == null) {
                    delivering = false;
                    return;
                }
                target = delegate;
            }
            event.accept(target);
        }
    }

    @Override
    public void onMessage(Q message) {
        on(l -> l.onMessage(message));
    }

    @Override
    public void onHalfClose() {
        on(ServerCall.Listener::onHalfClose);
    }

    @Override
    public void onCancel() {
        on(ServerCall.Listener::onCancel);
    }

    @Override
    public void onComplete() {
        on(ServerCall.Listener::onComplete);
    }

    @Override
    public void onReady() {
        on(ServerCall.Listener::onReady);
    }
}
