package io.keelson.store.mvcc;

/** The local database failed: the member cannot go on applying and must stop. */
public final class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
