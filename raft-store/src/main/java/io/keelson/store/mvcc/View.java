package io.keelson.store.mvcc;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * A consistent view of the column families: either a RocksDB snapshot (client reads) or the
 * database plus the batch being applied (so later ops of one Raft entry see earlier ones).
 */
final class View {
    private final RocksDB db;
    private final ReadOptions readOptions;
    private final WriteBatchWithIndex batch; // null for snapshot views

    View(RocksDB db, ReadOptions readOptions, WriteBatchWithIndex batch) {
        this.db = db;
        this.readOptions = readOptions;
        this.batch = batch;
    }

    byte[] get(ColumnFamilyHandle cf, byte[] key) {
        try {
            return batch == null ? db.get(cf, readOptions, key) : batch.getFromBatchAndDB(db, cf, readOptions, key);
        } catch (RocksDBException e) {
            throw new StorageException("read failed", e);
        }
    }

    /** An iterator the caller must close. */
    RocksIterator iterator(ColumnFamilyHandle cf) {
        RocksIterator base = db.newIterator(cf, readOptions);
        return batch == null ? base : batch.newIteratorWithBase(cf, base);
    }
}
