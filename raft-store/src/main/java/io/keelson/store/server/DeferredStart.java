package io.keelson.store.server;

import io.grpc.ServerCall;

/**
 * The listener of a call whose handler starts later, once an interceptor has what it needs. Until then the call
 * has requested no message, so none arrives; a cancellation or readiness that does is passed on at the start.
 */
final class DeferredStart<Q> extends ServerCall.Listener<Q> {
    private ServerCall.Listener<Q> delegate;
    private boolean cancelled;
    private boolean ready;

    /** Starts the handler's listener: from now on every event goes to it. */
    void start(ServerCall.Listener<Q> listener) {
        boolean cancel;
        boolean nowReady;
        synchronized (this) {
            delegate = listener;
            cancel = cancelled;
            nowReady = ready;
        }
        if (cancel) {
            listener.onCancel();
        } else if (nowReady) {
            listener.onReady();
        }
    }

    private synchronized ServerCall.Listener<Q> delegate() {
        return delegate;
    }

    @Override
    public void onMessage(Q message) {
        delegate().onMessage(message); // messages are requested by the handler, after the start
    }

    @Override
    public void onHalfClose() {
        delegate().onHalfClose();
    }

    @Override
    public void onCancel() {
        ServerCall.Listener<Q> d;
        synchronized (this) {
            cancelled = true;
            d = delegate;
        }
        if (d != null) {
            d.onCancel();
        }
    }

    @Override
    public void onComplete() {
        ServerCall.Listener<Q> d = delegate();
        if (d != null) {
            d.onComplete();
        }
    }

    @Override
    public void onReady() {
        ServerCall.Listener<Q> d;
        synchronized (this) {
            ready = true;
            d = delegate;
        }
        if (d != null) {
            d.onReady();
        }
    }
}
