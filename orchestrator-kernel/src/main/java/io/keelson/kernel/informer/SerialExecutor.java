package io.keelson.kernel.informer;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in order, on a shared pool: one per handler, so that a slow handler delays only
 * itself, never the informer's watch or the other handlers.
 */
final class SerialExecutor implements Executor {
    private final Executor pool;
    private final Consumer<Throwable> onFailure;
    /** guarded by this */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** guarded by this */
    private boolean running;

    SerialExecutor(Executor pool, Consumer<Throwable> onFailure) {
        this.pool = pool;
        this.onFailure = onFailure;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.addLast(task);
            if (running) {
                return;
            }
            running = true;
        }
        pool.execute(this::drain);
    }

    /** Tasks waiting (the handler's backlog). */
    synchronized int backlog() {
        return tasks.size();
    }

    /** At most this many tasks run before the drain yields its pool thread to the other handlers. */
    private static final int BATCH = 64;

    private void drain() {
        for (int done = 0; ; done++) {
            if (done == BATCH) {
                pool.execute(this::drain);
                return;
            }
            Runnable next;
            synchronized (this) {
                next = tasks.pollFirst();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                onFailure.accept(e);
            }
        }
    }
}
