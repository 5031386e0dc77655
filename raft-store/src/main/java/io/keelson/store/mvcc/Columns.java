package io.keelson.store.mvcc;

import org.rocksdb.ColumnFamilyHandle;

/** The column families of the state database (see {@link KeyCodec} for their layouts). */
record Columns(ColumnFamilyHandle meta, ColumnFamilyHandle kv, ColumnFamilyHandle history,
               ColumnFamilyHandle revisions, ColumnFamilyHandle leases, ColumnFamilyHandle leaseKeys) {
}
