package io.keelson.store.mvcc;

import com.google.protobuf.ByteString;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.ErrorCode;
import io.keelson.store.Event;
import io.keelson.store.MemberAlarm;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreException;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The MVCC state database on RocksDB: current key-values, per-key history, a per-revision change
 * log (for watches and compaction) and leases.
 *
 * <p>Design: every Raft entry is applied into one {@link WriteBatchWithIndex} together with the
 * applied Raft index and the store revision, so a crash leaves the database at an entry boundary.
 * RocksDB's own WAL is off (the Raft log is the write-ahead log); {@code atomic_flush} keeps the
 * column families consistent with each other without it. Entries at or below the stored applied
 * index are skipped by the caller on replay.
 *
 * <p>Threading: {@link #apply} is called by one thread at a time (the Raft apply thread). Reads may
 * run on any thread concurrently with it; each read sees one RocksDB snapshot.
 */
public final class MvccStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /** Makes the response header for a given store revision. */
    @FunctionalInterface
    public interface HeaderFactory {
        ResponseHeader header(long revision);
    }

    /**
     * What applying one entry did.
     *
     * @param results      per command: its response record, or the {@link StoreException} it failed with
     * @param events       the key changes, in revision order
     * @param leaseChanges per lease granted or revoked: {id, ttl}, ttl -1 for a revoke
     */
    public record Applied(List<Object> results, List<Event> events, List<long[]> leaseChanges, long revision) {
    }

    private static final byte[] APPLIED = "applied".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REVISION = "revision".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMPACTED = "compacted".getBytes(StandardCharsets.US_ASCII);
    /** Meta keys {@code member/<name>}: the client URLs a member published, newline-separated. */
    static final String MEMBER_PREFIX = "member/";
    /**
     * Meta keys {@code registered/<member id in hex>}: members added by their peer URLs ("learner" or "voter", then
     * the URLs, newline-separated).
     */
    static final String REGISTERED_PREFIX = "registered/";
    /** Meta key of etcd's auth state (users, roles, enabled), one {@code AuthStore} message. */
    static final byte[] AUTH_KEY = "auth".getBytes(StandardCharsets.US_ASCII);
    /** Meta keys {@code alarm/<type>/<member id>}: the active alarms. */
    static final String ALARM_PREFIX = "alarm/";
    private static final List<String> FAMILIES = List.of("default", "kv", "history", "revisions", "leases",
            "lease_keys");
    /** Families read by exact key on the apply path: every create looks up a key that is not there yet. */
    private static final Set<String> POINT_READ_FAMILIES = Set.of("default", "kv");

    private final Path dir;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile Set<MemberAlarm> alarms = Set.of();
    private volatile io.keelson.store.auth.AuthState auth = io.keelson.store.auth.AuthState.empty();
    private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true).setSync(false);
    // guarded by lifecycle (write lock to replace)
    private DBOptions dbOptions;
    private ColumnFamilyOptions cfOptions;
    private ColumnFamilyOptions pointReadOptions;
    private BloomFilter bloomFilter;
    private RocksDB db;
    private List<ColumnFamilyHandle> handles;
    private Columns columns;
    private boolean closed;
    // written by the apply thread only
    private volatile long appliedIndex;
    private volatile long appliedTerm;
    private volatile long revision;
    private volatile long compactRevision;

    private MvccStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (or creates) the database in {@code dir}. */
    public static MvccStore open(Path dir) throws IOException {
        MvccStore store = new MvccStore(dir);
        store.openDb();
        return store;
    }

    private void openDb() throws IOException {
        Files.createDirectories(dir);
        dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setAtomicFlush(true).setKeepLogFileNum(2);
        cfOptions = new ColumnFamilyOptions();
        // a Bloom filter lets a lookup of an absent key (every create's, on the apply thread) skip the table files
        bloomFilter = new BloomFilter(10, false);
        pointReadOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(bloomFilter));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String name : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII),
                    POINT_READ_FAMILIES.contains(name) ? pointReadOptions : cfOptions));
        }
        handles = new ArrayList<>();
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            throw new IOException("cannot open state database in " + dir + ": " + e.getMessage(), e);
        }
        columns = new Columns(handles.get(0), handles.get(1), handles.get(2), handles.get(3), handles.get(4),
                handles.get(5));
        byte[] applied = rawGet(columns.meta(), APPLIED);
        appliedIndex = applied == null ? 0 : KeyCodec.getLong(applied, 0);
        appliedTerm = applied == null ? 0 : KeyCodec.getLong(applied, 8);
        byte[] rev = rawGet(columns.meta(), REVISION);
        revision = rev == null ? 1 : KeyCodec.getLong(rev, 0); // etcd's revision starts at 1
        byte[] compacted = rawGet(columns.meta(), COMPACTED);
        compactRevision = compacted == null ? 0 : KeyCodec.getLong(compacted, 0);
        closed = false;
        alarms = Set.copyOf(readAlarms());
        byte[] stored = rawGet(columns.meta(), AUTH_KEY);
        try {
            auth = stored == null ? io.keelson.store.auth.AuthState.empty()
                    : io.keelson.store.auth.AuthState.fromProto(io.keelson.store.raft.proto.AuthStore.parseFrom(stored));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException("the stored auth state in " + dir + " cannot be read", e);
        }
    }

    /** etcd's auth state, as of the last applied entry. */
    public io.keelson.store.auth.AuthState authState() {
        return auth;
    }

    private byte[] rawGet(ColumnFamilyHandle cf, byte[] key) {
        try {
            return db.get(cf, key);
        } catch (RocksDBException e) {
            throw new StorageException("read failed", e);
        }
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long appliedTerm() {
        return appliedTerm;
    }

    /** The current store revision (last applied). */
    public long revision() {
        return revision;
    }

    public long compactRevision() {
        return compactRevision;
    }

    /** The active alarms (replicated: the same on every member once applied). */
    public Set<MemberAlarm> alarms() {
        return alarms;
    }

    /** The state database's size on disk plus its memtables: what the backend quota is checked against. */
    public long sizeBytes() {
        lifecycle.readLock().lock();
        try {
            requireOpenLocked();
            long size = 0;
            for (ColumnFamilyHandle h : handles) {
                size += db.getLongProperty(h, "rocksdb.total-sst-files-size")
                        + db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
            }
            return size;
        } catch (RocksDBException e) {
            throw new StorageException("reading the database size failed", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private Set<MemberAlarm> readAlarms() {
        Set<MemberAlarm> found = new HashSet<>();
        forEachMeta(ALARM_PREFIX, (name, value) -> found.add(alarmOf(name)));
        return found;
    }

    /** Calls {@code entry} with the rest of the key and the value of every meta entry under {@code prefix}. */
    private void forEachMeta(String prefix, BiConsumer<String, String> entry) {
        requireOpenLocked();
        try (RocksIterator it = db.newIterator(columns.meta())) {
            for (it.seek(prefix.getBytes(StandardCharsets.UTF_8)); it.isValid(); it.next()) {
                String key = new String(it.key(), StandardCharsets.UTF_8);
                if (!key.startsWith(prefix)) {
                    break;
                }
                entry.accept(key.substring(prefix.length()), new String(it.value(), StandardCharsets.UTF_8));
            }
        }
    }

    static String alarmKey(MemberAlarm alarm) {
        return ALARM_PREFIX + alarm.type().name() + "/" + Long.toUnsignedString(alarm.memberId(), 16);
    }

    /** The alarm of a meta key, given without its {@link #ALARM_PREFIX}. */
    private static MemberAlarm alarmOf(String key) {
        String[] parts = key.split("/");
        return new MemberAlarm(Long.parseUnsignedLong(parts[1], 16), MemberAlarm.Type.valueOf(parts[0]));
    }

    /** The client URLs each member published through the log, by member name. */
    public Map<String, List<String>> publishedClientUrls() {
        lifecycle.readLock().lock();
        try {
            Map<String, List<String>> urls = new TreeMap<>();
            forEachMeta(MEMBER_PREFIX, (name, value) ->
                    urls.put(name, value.isEmpty() ? List.of() : List.of(value.split("\n"))));
            return urls;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** A member added by its peer URLs (etcd's MemberAdd); it stays registered until it is removed. */
    public record RegisteredMember(long id, List<String> peerUrls, boolean learner) {
        public RegisteredMember {
            peerUrls = List.copyOf(peerUrls);
        }
    }

    /** The members added through {@link Command.Member}, in id order. */
    public List<RegisteredMember> registeredMembers() {
        lifecycle.readLock().lock();
        try {
            List<RegisteredMember> found = new ArrayList<>();
            forEachMeta(REGISTERED_PREFIX, (id, value) -> {
                List<String> lines = List.of(value.split("\n"));
                found.add(new RegisteredMember(Long.parseUnsignedLong(id, 16), lines.subList(1, lines.size()),
                        lines.get(0).equals("learner")));
            });
            return found;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    static byte[] registeredKey(long id) {
        return (REGISTERED_PREFIX + String.format("%016x", id)).getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- reads

    /** A range read on a consistent snapshot. */
    public RangeResponse range(RangeRequest request, HeaderFactory headers) {
        return read(r -> r.range(request, headers.header(r.currentRevision())));
    }

    /** A transaction without writes, served on a snapshot without going through the log. */
    public TxnResponse readOnlyTxn(TxnRequest request, HeaderFactory headers) {
        return read(r -> {
            List<Event> none = new ArrayList<>();
            Applier applier = new Applier(columns, null, r.view(), r.currentRevision(), r.compactRevision(),
                    headers, none, new ArrayList<>());
            return applier.txn(request);
        });
    }

    private <T> T read(Function<Reader, T> body) {
        lifecycle.readLock().lock();
        try {
            requireOpenLocked();
            Snapshot snapshot = db.getSnapshot();
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                View view = new View(db, ro, null);
                byte[] rev = view.get(columns.meta(), REVISION);
                byte[] compacted = view.get(columns.meta(), COMPACTED);
                return body.apply(new Reader(columns, view, rev == null ? 1 : KeyCodec.getLong(rev, 0),
                        compacted == null ? 0 : KeyCodec.getLong(compacted, 0)));
            } finally {
                db.releaseSnapshot(snapshot);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * The changes of revisions {@code [from, to]} in revision order, read on one snapshot.
     *
     * @throws StoreException.CompactedException if {@code from} is below the compact revision
     */
    public List<Event> events(long from, long to) {
        return read(r -> {
            if (from < r.compactRevision()) {
                throw new StoreException.CompactedException(r.compactRevision());
            }
            return r.events(from, Math.min(to, r.currentRevision()));
        });
    }

    /** Refuses use of a closed database (RocksDB would crash the process). Call with the read lock held. */
    private void requireOpenLocked() {
        if (closed) {
            throw new StoreException(io.keelson.store.ErrorCode.STOPPED);
        }
    }

    /** Whether the lease exists (as of the last applied entry). */
    public boolean leaseExists(long id) {
        lifecycle.readLock().lock();
        try {
            return !closed && rawGet(columns.leases(), KeyCodec.longBytes(id)) != null;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Every lease with its granted TTL, in id order. */
    public Map<Long, Long> leases() {
        lifecycle.readLock().lock();
        try {
            requireOpenLocked();
            Map<Long, Long> out = new LinkedHashMap<>();
            try (RocksIterator it = db.newIterator(columns.leases())) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    out.put(KeyCodec.getLong(it.key(), 0), KeyCodec.getLong(it.value(), 0));
                }
            }
            return out;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Keys attached to a lease, in key order. */
    public List<ByteString> leaseKeys(long id) {
        lifecycle.readLock().lock();
        try (ReadOptions ro = new ReadOptions()) {
            requireOpenLocked();
            return leaseKeys(new View(db, ro, null), columns, id);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    static List<ByteString> leaseKeys(View view, Columns columns, long id) {
        List<ByteString> keys = new ArrayList<>();
        byte[] prefix = KeyCodec.longBytes(id);
        try (RocksIterator it = view.iterator(columns.leaseKeys())) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (KeyCodec.getLong(k, 0) != id) {
                    break;
                }
                keys.add(ByteString.copyFrom(k, 8, k.length - 8));
            }
        }
        return keys;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Applies one Raft entry's commands atomically, recording {@code index}/{@code term} as applied.
     * Must not be called concurrently with itself.
     */
    public Applied apply(List<Command> commands, long index, long term, HeaderFactory headers) {
        lifecycle.readLock().lock();
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true); ReadOptions ro = new ReadOptions()) {
            View view = new View(db, ro, batch);
            List<Event> events = new ArrayList<>();
            List<long[]> leaseChanges = new ArrayList<>();
            Applier applier = new Applier(columns, batch, view, revision, compactRevision, headers, events,
                    leaseChanges);
            applier.useAuth(auth);
            List<Object> results = new ArrayList<>(commands.size());
            Set<MemberAlarm> raised = new HashSet<>(alarms);
            for (Command command : commands) {
                try {
                    ErrorCode refusal = authRefusal(command, applier.auth());
                    if (command instanceof Command.Alarm a) {
                        results.add(applier.alarm(a.activate(), a.alarm(), raised));
                    } else if (refusal != null) {
                        // etcd's auth applier: permissions checked at an older auth state may no longer hold
                        results.add(new StoreException(refusal));
                    } else if (takesSpace(command) && noSpace(raised)) {
                        // etcd's capped applier: every member refuses the same writes while NOSPACE is raised
                        results.add(new StoreException(ErrorCode.NO_SPACE));
                    } else {
                        results.add(applyOne(applier, command));
                    }
                } catch (StoreException e) {
                    results.add(e);
                }
            }
            writeMeta(batch, index, term, applier.revision(), applier.compactRevision());
            db.write(writeOptions, batch);
            auth = applier.auth();
            appliedIndex = index;
            appliedTerm = term;
            compactRevision = applier.compactRevision();
            revision = applier.revision();
            if (!raised.equals(alarms)) {
                alarms = Set.copyOf(raised);
            }
            return new Applied(results, events, leaseChanges, applier.revision());
        } catch (RocksDBException e) {
            throw new StorageException("applying entry " + index + " failed", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Why etcd's auth applier refuses the command under {@code auth}, or null: its permissions were checked at an
     * older auth revision, or it came from a client while auth was off and names no user.
     */
    private static ErrorCode authRefusal(Command command, io.keelson.store.auth.AuthState auth) {
        long checkedAt = command instanceof Command.Write w ? w.authRevision()
                : command instanceof Command.LeaseRevoke r ? r.authRevision() : 0;
        if (checkedAt == 0 || !auth.enabled()) {
            return null;
        }
        if (checkedAt == io.keelson.store.StoreMember.ANONYMOUS) {
            return ErrorCode.USER_EMPTY; // received while auth was off: it names no user
        }
        return checkedAt < auth.revision() ? ErrorCode.AUTH_OLD_REVISION : null;
    }

    /** Whether a NOSPACE alarm is among {@code alarms}. */
    public static boolean noSpace(Set<MemberAlarm> alarms) {
        for (MemberAlarm a : alarms) {
            if (a.type() == MemberAlarm.Type.NOSPACE) {
                return true;
            }
        }
        return false;
    }

    /** Whether etcd refuses the command while NOSPACE is raised: puts, transactions that put, lease grants. */
    public static boolean takesSpace(Command command) {
        if (command instanceof Command.LeaseGrant) {
            return true;
        }
        return command instanceof Command.Write w && writesValues(w.op());
    }

    private static boolean writesValues(io.keelson.store.TxnOp op) {
        if (op instanceof PutRequest) {
            return true;
        }
        if (op instanceof TxnRequest txn) {
            return txn.success().stream().anyMatch(MvccStore::writesValues)
                    || txn.failure().stream().anyMatch(MvccStore::writesValues);
        }
        return false;
    }

    private static Object applyOne(Applier applier, Command command) {
        if (command instanceof Command.Write w) {
            if (w.op() instanceof PutRequest put) {
                return applier.put(put);
            } else if (w.op() instanceof DeleteRangeRequest delete) {
                return applier.delete(delete);
            } else if (w.op() instanceof TxnRequest txn) {
                return applier.txn(txn);
            }
            throw new IllegalArgumentException("not a write: " + w.op());
        } else if (command instanceof Command.Compact c) {
            return applier.compact(c.revision());
        } else if (command instanceof Command.LeaseGrant g) {
            return applier.leaseGrant(g.id(), g.ttl());
        } else if (command instanceof Command.PublishMember m) {
            return applier.publishMember(m.name(), m.clientUrls());
        } else if (command instanceof Command.Member m) {
            return applier.member(m);
        } else if (command instanceof Command.Auth a) {
            return applier.auth(a.op());
        }
        return applier.leaseRevoke(((Command.LeaseRevoke) command).id());
    }

    private void writeMeta(WriteBatchWithIndex batch, long index, long term, long rev, long compacted)
            throws RocksDBException {
        byte[] applied = new byte[16];
        KeyCodec.putLong(applied, 0, index);
        KeyCodec.putLong(applied, 8, term);
        batch.put(columns.meta(), APPLIED, applied);
        batch.put(columns.meta(), REVISION, KeyCodec.longBytes(rev));
        batch.put(columns.meta(), COMPACTED, KeyCodec.longBytes(compacted));
    }

    /** Records a Raft entry that carried no commands (a no-op or configuration entry) as applied. */
    public void markApplied(long index, long term) {
        lifecycle.readLock().lock();
        try (WriteBatchWithIndex batch = new WriteBatchWithIndex(true)) {
            writeMeta(batch, index, term, revision, compactRevision);
            db.write(writeOptions, batch);
            appliedIndex = index;
            appliedTerm = term;
        } catch (RocksDBException e) {
            throw new StorageException("recording applied index failed", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** Writes a consistent copy of the database (hard links where possible) into {@code target}. */
    public void checkpoint(Path target) throws IOException {
        lifecycle.readLock().lock();
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            db.flushWal(true);
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new IOException("checkpoint into " + target + " failed: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Replaces the live database with the checkpoint in {@code checkpoint} and reopens it. */
    public void restoreFrom(Path checkpoint) throws IOException {
        lifecycle.writeLock().lock();
        try {
            closeDb();
            deleteTree(dir);
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(checkpoint)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".md5")) {
                        continue; // Ratis' transfer checksums, not part of the database
                    }
                    Path to = dir.resolve(name);
                    if (name.endsWith(".sst")) {
                        Files.createLink(to, f); // immutable files: share them
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
            openDb();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Deletes a directory tree if it exists. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private void closeDb() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            db.flush(new org.rocksdb.FlushOptions().setWaitForFlush(true), handles);
        } catch (RocksDBException e) {
            // the Raft log still holds everything after the last snapshot; replay will redo it
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        dbOptions.close();
        cfOptions.close();
        pointReadOptions.close();
        bloomFilter.close();
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            closeDb();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
