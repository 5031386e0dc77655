package io.keelson.store.raft;

import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;

/** Maps Raft-level failures to the store's typed errors (etcd's texts). */
final class StoreErrors {
    private StoreErrors() {
    }

    /**
     * A {@link StoreException} for {@code error}: itself if it is one; {@code no leader} while the group
     * elects; {@code server stopped} once closed; otherwise {@code request timed out}.
     */
    static StoreException of(Throwable error) {
        Throwable t = cause(error);
        if (t instanceof StoreException se) {
            return se;
        }
        if (t instanceof AlreadyClosedException) {
            return new StoreException(ErrorCode.STOPPED, t);
        }
        if (t instanceof NotLeaderException || t instanceof LeaderNotReadyException
                || t instanceof ReadIndexException) {
            return new StoreException(ErrorCode.NO_LEADER, t);
        }
        return new StoreException(ErrorCode.TIMEOUT, t);
    }

    /** {@code error} without the future's wrappers around it. */
    static Throwable cause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
