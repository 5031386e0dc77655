package io.keelson.store.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.keelson.store.Lease;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** etcd's lock semantics on the embedded store: order of creation, release by unlock or lease expiry. */
class LocksTest {
    @TempDir
    static Path dir;
    static StoreMember store;
    static Locks locks;

    @BeforeAll
    static void open() {
        store = TestStores.openSingle(dir);
        locks = Locks.on(store);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    static long lease(long ttlSeconds) {
        return store.leaseGrant(Lease.GrantRequest.ttl(ttlSeconds)).join().id();
    }

    static String name(TestInfo test) {
        return "locks/" + test.getTestMethod().orElseThrow().getName();
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static void assertPending(CompletableFuture<?> f) throws Exception {
        assertThatThrownBy(() -> f.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void anUncontendedLock_isHeldAtOnce_byTheKeyNamedAfterItsLease(TestInfo test) throws Exception {
        long lease = lease(30);
        Locks.Held held = get(locks.lock(name(test), lease));
        assertThat(held.key().toStringUtf8()).isEqualTo(name(test) + "/" + Long.toHexString(lease));
        assertThat(store.range(RangeRequest.key(held.key())).join().kvs().get(0).lease()).isEqualTo(lease);
        assertThat(held.header().revision()).isPositive();

        Locks.Held again = get(locks.lock(name(test), lease));
        assertThat(again.key()).as("the holder's lease locks again at once").isEqualTo(held.key());
    }

    @Test
    void waiters_getTheLockInTheOrderTheyAsked_asEachHolderUnlocks(TestInfo test) throws Exception {
        Locks.Held first = get(locks.lock(name(test), lease(30)));
        CompletableFuture<Locks.Held> second = locks.lock(name(test), lease(30));
        assertPending(second);
        CompletableFuture<Locks.Held> third = locks.lock(name(test), lease(30));
        assertPending(third);

        get(locks.unlock(first.key()));
        Locks.Held secondHeld = get(second);
        assertPending(third);
        get(locks.unlock(secondHeld.key()));
        assertThat(get(third).key()).isNotEqualTo(secondHeld.key());
    }

    @Test
    void aHolderWhoseLeaseExpires_releasesTheLock(TestInfo test) throws Exception {
        get(locks.lock(name(test), lease(1)));
        long started = System.nanoTime();
        Locks.Held next = get(locks.lock(name(test), lease(30)));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThan(300);
        assertThat(next.key().toStringUtf8()).startsWith(name(test) + "/");
    }

    @Test
    void aWaiterGivingUp_leavesTheLine_andTheNextOneIsServed(TestInfo test) throws Exception {
        Locks.Held first = get(locks.lock(name(test), lease(30)));
        long quitter = lease(30);
        CompletableFuture<Locks.Held> gaveUp = locks.lock(name(test), quitter);
        assertPending(gaveUp);
        CompletableFuture<Locks.Held> patient = locks.lock(name(test), lease(30));
        gaveUp.cancel(false);
        ByteString quitterKey = ByteString.copyFromUtf8(name(test) + "/" + Long.toHexString(quitter));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!store.range(RangeRequest.key(quitterKey)).join().kvs().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(store.range(RangeRequest.key(quitterKey)).join().kvs()).as("its key is deleted").isEmpty();

        get(locks.unlock(first.key()));
        assertThat(get(patient).key().toStringUtf8()).startsWith(name(test) + "/");
    }

    @Test
    void aLeaseThatDoesNotExist_isRefusedWithEtcdsError(TestInfo test) {
        assertThatThrownBy(() -> get(locks.lock(name(test), 123456))).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("etcdserver: requested lease not found");
    }

    @Test
    void aWaiterWhoseOwnLeaseExpires_failsWhenItsTurnComes(TestInfo test) throws Exception {
        Locks.Held first = get(locks.lock(name(test), lease(30)));
        CompletableFuture<Locks.Held> doomed = locks.lock(name(test), lease(1));
        Thread.sleep(2500); // its key went with its lease
        get(locks.unlock(first.key()));
        assertThatThrownBy(() -> get(doomed)).isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(ConcurrencyException.class).hasMessageContaining("mutex: session is expired");
    }

    @Test
    void unlockingAKeyThatIsGone_isNoError(TestInfo test) throws Exception {
        assertThat(get(locks.unlock(ByteString.copyFromUtf8(name(test) + "/ffff"))).revision()).isPositive();
    }
}
