package io.keelson.store.server;

import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KvStore;
import io.keelson.store.StoreMember;
import io.keelson.store.concurrency.Locks;

/** etcd's {@code v3lockpb.Lock} service over {@link Locks}: Lock waits for the lock, Unlock deletes its key. */
final class LockService extends LockGrpc.LockImplBase {
    private final StoreMember member;

    LockService(StoreMember member) {
        this.member = member;
    }

    /** The member, for a request checked by {@link AuthGuard} at the auth revision it noted. */
    private KvStore store() {
        return member.checkedAt(AuthGuard.checkedRevision());
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> out) {
        KvStore store = store();
        Sessions.onLease(store, request.getLease(), lease -> Locks.on(store).lock(request.getName(), lease),
                held -> LockResponse.newBuilder().setHeader(EtcdCodec.header(held.header())).setKey(held.key())
                        .build(), out);
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> out) {
        KvService.answer(() -> Locks.on(store()).unlock(request.getKey()),
                h -> UnlockResponse.newBuilder().setHeader(EtcdCodec.header(h)).build(), out);
    }
}
