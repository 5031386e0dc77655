package io.keelson.store.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keelson.store.ResponseHeader;
import io.keelson.store.mvcc.Command;
import io.keelson.store.mvcc.MvccStore;
import io.keelson.store.raft.proto.Batch;
import io.keelson.store.raft.proto.Entry;
import io.keelson.store.raft.proto.Op;
import io.keelson.store.raft.proto.Query;
import io.keelson.store.raft.proto.QueryReply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine: applies each committed {@link Entry} (its batches in order) to the
 * {@link MvccStore}, takes snapshots as RocksDB checkpoints and reloads from an installed one.
 *
 * <p>Recovery: the database records the applied index in the same write as the data, so entries at
 * or below it are skipped when Ratis replays its log. If the database is behind the newest snapshot
 * (it was lost or never written), it is rebuilt from that snapshot first.
 */
final class KvStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);

    /** The answer of a member that does not lead: nothing was done, ask the leader. */
    static final QueryReply NOT_LEADER = QueryReply.newBuilder().setNotLeader(true).build();

    /** What the member does with applied entries and role changes. */
    interface Listener {
        /**
         * An entry was applied; called on the apply thread, in log order. The results of
         * {@code applied} follow the operations of {@code batches}, batch after batch.
         */
        void applied(List<Batch> batches, MvccStore.Applied applied);

        /** The database was replaced by an installed snapshot. */
        void reloaded();

        void leaderChanged(boolean self);

        /** This member stopped leading; it may know no leader yet ({@link #leaderChanged} comes then). */
        void steppedDown();

        /**
         * Answers a leader-side query (a read index, lease keep-alive or time-to-live) once this member
         * has confirmed with a quorum that it still leads, or with {@link #NOT_LEADER}.
         */
        CompletableFuture<QueryReply> query(Query query);

        /** Takes a batch a follower forwarded into the log; answers once it is applied here. */
        CompletableFuture<QueryReply> forwarded(ByteString batch);

        /** A configuration entry was applied (Ratis' membership changes). */
        void configurationApplied(org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf);

        /** Ratis shut this member's division down on its own: the leader told it that it was removed. */
        void removed();
    }

    /** Supplies cluster and member ids for response headers. */
    interface HeaderSource {
        ResponseHeader header(long revision, long term);
    }

    private final Path stateDir;
    private final HeaderSource headers;
    private final SnapshotStore snapshots = new SnapshotStore();
    private final Object applyLock = new Object(); // apply vs. snapshot (they may run on different threads)
    private volatile Listener listener;
    private volatile MvccStore mvcc;
    // reads waiting for this member to apply an index, by index
    private final NavigableMap<Long, CompletableFuture<Void>> appliedWaiters = new TreeMap<>();

    KvStateMachine(Path stateDir, HeaderSource headers) {
        this.stateDir = stateDir;
        this.headers = headers;
    }

    void setListener(Listener listener) {
        this.listener = listener;
    }

    MvccStore mvcc() {
        return mvcc;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        snapshots.init(storage);
        mvcc = MvccStore.open(stateDir);
        SnapshotInfo latest = snapshots.getLatestSnapshot();
        if (latest != null && mvcc.appliedIndex() < latest.getIndex()) {
            LOG.info("state database at index {} is behind snapshot {}; restoring it", mvcc.appliedIndex(), latest);
            mvcc.restoreFrom(snapshots.dirOf(latest));
        }
        setLastAppliedTermIndex(TermIndex.valueOf(mvcc.appliedTerm(), mvcc.appliedIndex()));
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /** Ratis pauses the state machine before it swaps in an installed snapshot ({@link #reinitialize}). */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /**
     * Completes once this member has applied {@code index} (entries without commands included). The
     * future may complete on the apply thread: hand further work off it.
     */
    CompletableFuture<Void> whenApplied(long index) {
        synchronized (appliedWaiters) {
            TermIndex last = getLastAppliedTermIndex();
            if (last != null && last.getIndex() >= index) {
                return CompletableFuture.completedFuture(null);
            }
            return appliedWaiters.computeIfAbsent(index, i -> new CompletableFuture<>());
        }
    }

    @Override
    protected boolean updateLastAppliedTermIndex(TermIndex newTI) {
        boolean updated = super.updateLastAppliedTermIndex(newTI);
        releaseAppliedWaiters(newTI.getIndex());
        return updated;
    }

    @Override
    protected void setLastAppliedTermIndex(TermIndex newTI) {
        super.setLastAppliedTermIndex(newTI);
        if (newTI != null && appliedWaiters != null) { // null while the base class constructs
            releaseAppliedWaiters(newTI.getIndex());
        }
    }

    private void releaseAppliedWaiters(long applied) {
        List<CompletableFuture<Void>> released = new ArrayList<>();
        synchronized (appliedWaiters) {
            if (appliedWaiters.isEmpty()) {
                return;
            }
            Map<Long, CompletableFuture<Void>> done = appliedWaiters.headMap(applied, true);
            released.addAll(done.values());
            done.clear();
        }
        released.forEach(f -> f.complete(null));
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        synchronized (applyLock) {
            if (index <= mvcc.appliedIndex()) {
                updateLastAppliedTermIndex(term, index); // replayed: already in the database
                return CompletableFuture.completedFuture(Message.EMPTY);
            }
            List<Batch> batches;
            try {
                batches = batches(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            } catch (InvalidProtocolBufferException e) {
                // an undecodable committed entry would make replicas diverge: stop this member
                return CompletableFuture.failedFuture(new IllegalStateException("corrupt entry " + index, e));
            }
            List<Command> commands = new ArrayList<>();
            for (Batch batch : batches) {
                for (Op op : batch.getOpsList()) {
                    commands.add(OpCodec.decode(op));
                }
            }
            Listener l = listener;
            MvccStore.Applied applied = mvcc.apply(commands, index, term, rev -> headers.header(rev, term));
            updateLastAppliedTermIndex(term, index);
            if (l != null) {
                l.applied(batches, applied);
            }
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** The batches of one log entry: an {@link Entry}'s groups, or a bare {@link Batch} as first written. */
    static List<Batch> batches(ByteBuffer data) throws InvalidProtocolBufferException {
        Entry entry = Entry.parseFrom(data.duplicate());
        if (entry.getGroupsCount() == 0) {
            return List.of(Batch.parseFrom(data));
        }
        List<Batch> batches = new ArrayList<>(entry.getGroupsCount());
        for (ByteString group : entry.getGroupsList()) {
            batches.add(Batch.parseFrom(group));
        }
        return batches;
    }

    @Override
    public long takeSnapshot() throws IOException {
        synchronized (applyLock) {
            TermIndex last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() <= 0) {
                return -1;
            }
            SnapshotInfo latest = snapshots.getLatestSnapshot();
            if (latest != null && latest.getIndex() >= last.getIndex()) {
                return latest.getIndex();
            }
            if (last.getIndex() > mvcc.appliedIndex()) {
                // trailing entries without commands (leader no-ops, configuration): record them too
                mvcc.markApplied(last.getIndex(), last.getTerm());
            }
            Path dir = snapshots.dirFor(last);
            mvcc.checkpoint(dir);
            snapshots.reload();
            snapshots.cleanupOldSnapshots(null);
            LOG.debug("snapshot {} taken in {}", last, dir);
            return last.getIndex();
        }
    }

    @Override
    public void reinitialize() throws IOException {
        synchronized (applyLock) {
            snapshots.reload();
            SnapshotInfo latest = snapshots.getLatestSnapshot();
            if (latest == null) {
                return;
            }
            LOG.info("reloading state from installed snapshot {}", latest);
            mvcc.restoreFrom(snapshots.dirOf(latest));
            setLastAppliedTermIndex(latest.getTermIndex());
            if (getLifeCycleState() == LifeCycle.State.PAUSED) {
                getLifeCycle().transition(LifeCycle.State.STARTING);
                getLifeCycle().transition(LifeCycle.State.RUNNING);
            }
            Listener l = listener;
            if (l != null) {
                l.reloaded();
            }
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            Query query = Query.parseFrom(request.getContent().asReadOnlyByteBuffer());
            if (query.getQueryCase() == Query.QueryCase.BARRIER) {
                // a member of an earlier version reading through Ratis' own ReadIndex, which waited for it
                return CompletableFuture.completedFuture(Message.EMPTY);
            }
            Listener l = listener;
            if (l == null) {
                return CompletableFuture.completedFuture(message(NOT_LEADER));
            }
            if (query.getQueryCase() == Query.QueryCase.FORWARD) {
                return l.forwarded(query.getForward()).thenApply(KvStateMachine::message);
            }
            return l.query(query).thenApply(KvStateMachine::message);
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Message message(QueryReply reply) {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.toByteArray()));
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        Listener l = listener;
        if (l != null) {
            l.steppedDown();
        }
    }

    @Override
    public void notifyConfigurationChanged(long term, long index,
                                           org.apache.ratis.proto.RaftProtos.RaftConfigurationProto conf) {
        Listener l = listener;
        if (l != null) {
            l.configurationApplied(conf);
        }
    }

    @Override
    public void notifyServerShutdown(org.apache.ratis.proto.RaftProtos.RoleInfoProto roleInfo, boolean allServer) {
        Listener l = listener;
        if (!allServer && l != null) { // allServer: this member is being closed
            l.removed();
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        Listener l = listener;
        if (l != null) {
            l.leaderChanged(groupMemberId.getPeerId().equals(newLeaderId));
        }
    }

    @Override
    public void close() throws IOException {
        super.close();
        MvccStore m = mvcc;
        if (m != null) {
            m.close();
        }
    }
}
