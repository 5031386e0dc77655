package io.keelson.store.server;

import io.etcd.jetcd.api.AlarmMember;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.HashResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KeyValue;
import io.keelson.store.MemberAlarm;
import io.keelson.store.MemberStatus;
import io.keelson.store.RangeRequest;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreMember;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * etcd's {@code Maintenance} service: status, alarms (NOSPACE), defragment, hash of the
 * keyspace, snapshot. Calls that read the whole keyspace or the disk run on {@code work}, never on a
 * gRPC event loop (the server runs handlers on its transport threads).
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    /**
     * The etcd API version reported by Status. Clients gate features on it (Kubernetes needs at least
     * 3.5.13 to use watch progress requests, which this server answers).
     */
    static final String VERSION = "3.5.17";

    /** etcd's chunk size for the snapshot stream. */
    private static final int SNAPSHOT_CHUNK_BYTES = 32 * 1024;

    private static final String SNAPSHOT_DIR_PREFIX = "snapshot-";

    private final StoreMember member;
    private final Executor work;

    MaintenanceService(StoreMember member, Executor work) {
        this.member = member;
        this.work = work;
        removeLeftoverSnapshots(member.config().dataDir());
    }

    /** Snapshot copies a killed process left behind in the data dir (only snapshot streams make them). */
    static void removeLeftoverSnapshots(Path dataDir) {
        try (Stream<Path> entries = Files.list(dataDir)) {
            entries.filter(p -> p.getFileName().toString().startsWith(SNAPSHOT_DIR_PREFIX) && Files.isDirectory(p))
                    .forEach(SnapshotArchive::deleteTree);
        } catch (IOException | UncheckedIOException e) {
            // a leftover costs disk space only; the next start tries again
        }
    }

    private ResponseHeader header(MemberStatus s) {
        return new ResponseHeader(s.clusterId(), s.memberId(), s.revision(), s.raftTerm());
    }

    @Override
    public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> out) {
        KvService.answer(() -> member.moveLeader(request.getTargetID()),
                h -> MoveLeaderResponse.newBuilder().setHeader(EtcdCodec.header(h)).build(), out);
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
        work.execute(() -> status(out));
    }

    private void status(StreamObserver<StatusResponse> out) {
        MemberStatus s = member.status();
        long size = dataSize(member.config().dataDir());
        out.onNext(StatusResponse.newBuilder().setHeader(EtcdCodec.header(header(s))).setVersion(VERSION)
                .setDbSize(size).setDbSizeInUse(size).setLeader(s.leaderId()).setRaftIndex(s.raftIndex())
                .setRaftTerm(s.raftTerm()).setRaftAppliedIndex(s.appliedIndex()).setIsLearner(member.isLearner()).build());
        out.onCompleted();
    }

    static long dataSize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // files come and go under compaction: a size is an estimate anyway
        }
    }

    /** Lists, raises or clears alarms (etcd's NOSPACE); raising and clearing go through the log. */
    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> out) {
        AlarmRequest.AlarmAction action = request.getAction();
        if (action == AlarmRequest.AlarmAction.GET || request.getAlarm() != AlarmType.NOSPACE) {
            // etcd: GET lists every alarm; raising or clearing NONE changes nothing
            replyAlarms(out, action == AlarmRequest.AlarmAction.GET ? member.alarms() : Set.of());
            return;
        }
        MemberAlarm alarm = new MemberAlarm(request.getMemberID(), MemberAlarm.Type.NOSPACE);
        boolean activate = action == AlarmRequest.AlarmAction.ACTIVATE;
        boolean wasRaised = member.alarms().contains(alarm);
        member.setAlarm(alarm, activate).whenComplete((ok, failure) -> {
            if (failure != null) {
                out.onError(GrpcErrors.of(failure));
            } else {
                replyAlarms(out, activate || wasRaised ? Set.of(alarm) : Set.of());
            }
        });
    }

    private void replyAlarms(StreamObserver<AlarmResponse> out, Set<MemberAlarm> alarms) {
        AlarmResponse.Builder b = AlarmResponse.newBuilder().setHeader(EtcdCodec.header(header(member.status())));
        for (MemberAlarm a : alarms) {
            b.addAlarms(AlarmMember.newBuilder().setMemberID(a.memberId()).setAlarm(AlarmType.NOSPACE));
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    /** RocksDB compacts its files in the background; there is nothing to rewrite on demand. */
    @Override
    public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> out) {
        out.onNext(DefragmentResponse.newBuilder().setHeader(EtcdCodec.header(header(member.status()))).build());
        out.onCompleted();
    }

    /** A CRC-32C over every key-value at the revision (the current one for 0), in key order. */
    @Override
    public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> out) {
        work.execute(() -> KvService.answer(() -> member.range(RangeRequest.all().atRevision(request.getRevision()).withSerializable()),
                r -> HashKVResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).setHash(hash(r.kvs()))
                        .setCompactRevision(member.status().compactRevision()).build(), out));
    }

    /** The same hash over the current keyspace (etcd hashes its whole backend file; no client compares them). */
    @Override
    public void hash(HashRequest request, StreamObserver<HashResponse> out) {
        work.execute(() -> KvService.answer(() -> member.range(RangeRequest.all().withSerializable()),
                r -> HashResponse.newBuilder().setHeader(EtcdCodec.header(r.header())).setHash(hash(r.kvs())).build(),
                out));
    }

    /**
     * Streams a {@link SnapshotArchive} of this member's state in 32 KiB chunks, then its SHA-256, as
     * etcd does; each chunk is sent when the client can take it, so a slow reader holds no memory.
     */
    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> out) {
        ServerCallStreamObserver<SnapshotResponse> call = (ServerCallStreamObserver<SnapshotResponse>) out;
        Semaphore ready = new Semaphore(0);
        call.setOnReadyHandler(ready::release);
        call.setOnCancelHandler(ready::release);
        work.execute(() -> {
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory(member.config().dataDir(), SNAPSHOT_DIR_PREFIX);
                Path copy = tmp.resolve("db");
                member.snapshot(copy);
                Path archive = tmp.resolve("snapshot.zip");
                SnapshotArchive.write(copy, archive);
                stream(archive, call, ready);
            } catch (IOException | RuntimeException e) {
                if (!call.isCancelled()) {
                    out.onError(GrpcErrors.of(e));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                SnapshotArchive.deleteTree(tmp);
            }
        });
    }

    private void stream(Path archive, ServerCallStreamObserver<SnapshotResponse> call, Semaphore ready)
            throws IOException, InterruptedException {
        long size = Files.size(archive);
        MessageDigest sha = SnapshotArchive.sha256();
        ResponseHeader header = header(member.status());
        try (InputStream in = Files.newInputStream(archive)) {
            byte[] buf = new byte[SNAPSHOT_CHUNK_BYTES];
            long sent = 0;
            while (sent < size) {
                int n = in.readNBytes(buf, 0, buf.length);
                sent += n;
                sha.update(buf, 0, n);
                if (!awaitReady(call, ready)) {
                    return;
                }
                call.onNext(SnapshotResponse.newBuilder().setHeader(EtcdCodec.header(header))
                        .setRemainingBytes(size - sent).setBlob(ByteString.copyFrom(buf, 0, n)).build());
            }
        }
        if (awaitReady(call, ready)) {
            call.onNext(SnapshotResponse.newBuilder().setHeader(EtcdCodec.header(header)).setRemainingBytes(0)
                    .setBlob(ByteString.copyFrom(sha.digest())).build());
            call.onCompleted();
        }
    }

    /** Waits until the transport can take another message; false once the client went away. */
    private static boolean awaitReady(ServerCallStreamObserver<?> call, Semaphore ready) throws InterruptedException {
        while (!call.isReady()) {
            if (call.isCancelled()) {
                return false;
            }
            ready.tryAcquire(100, TimeUnit.MILLISECONDS);
        }
        return !call.isCancelled();
    }

    private static int hash(java.util.List<KeyValue> kvs) {
        CRC32C crc = new CRC32C();
        for (KeyValue kv : kvs) {
            crc.update(kv.key().asReadOnlyByteBuffer());
            crc.update(kv.value().asReadOnlyByteBuffer());
            crc.update(Long.hashCode(kv.modRevision()));
        }
        return (int) crc.getValue();
    }
}
