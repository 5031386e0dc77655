package io.keelson.watch;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link CacheSource} decorator whose watch a test can break, and whose new watches it can hold back, to
 * make the cache resume or re-list at a moment the test chooses (for instance after a compaction).
 */
final class BreakableSource implements CacheSource {
    private final CacheSource source;
    private final List<Runnable> held = new ArrayList<>();
    private boolean paused;
    private Listener listener;
    private Subscription live;

    BreakableSource(CacheSource source) {
        this.source = source;
    }

    @Override
    public CompletableFuture<Page> list(ByteString start, ByteString end, long revision, int limit) {
        return source.list(start, end, revision, limit);
    }

    @Override
    public CompletableFuture<Long> currentRevision() {
        return source.currentRevision();
    }

    @Override
    public synchronized Subscription watch(ByteString start, ByteString end, long startRevision, Listener l) {
        Runnable open = () -> {
            synchronized (this) {
                listener = l;
                live = source.watch(start, end, startRevision, l);
            }
        };
        if (paused) {
            held.add(open);
        } else {
            open.run();
        }
        return new Subscription() {
            @Override
            public void requestProgress() {
                synchronized (BreakableSource.this) {
                    if (listener == l && live != null) {
                        live.requestProgress();
                    }
                }
            }

            @Override
            public void close() {
                synchronized (BreakableSource.this) {
                    held.remove(open);
                    if (listener == l && live != null) {
                        live.close();
                        live = null;
                    }
                }
            }
        };
    }

    /** New watches wait until {@link #resume()}. */
    synchronized void pause() {
        paused = true;
    }

    /** Breaks the running watch: it stops and its listener hears a failure. */
    void breakWatch() {
        Listener broken;
        synchronized (this) {
            broken = listener;
            if (live != null) {
                live.close();
                live = null;
            }
            listener = null;
        }
        if (broken != null) {
            broken.onFailure(new IllegalStateException("connection lost (test)"));
        }
    }

    /** Opens the watches held back since {@link #pause()}. */
    void resume() {
        List<Runnable> open;
        synchronized (this) {
            paused = false;
            open = new ArrayList<>(held);
            held.clear();
        }
        open.forEach(Runnable::run);
    }
}
