package io.keelson.store.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keelson.store.KeelsonStore;
import io.keelson.store.Lease;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreMember;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's locks and elections example, as written there, so that it keeps working when copied. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theLocksAndElectionsExample() throws Exception {
        List<String> printed = new CopyOnWriteArrayList<>();
        try (StoreMember store = KeelsonStore.open(dir.resolve("data"))) {
            long lease = store.leaseGrant(Lease.GrantRequest.ttl(10)).join().id();   // keep it alive while holding
            Locks locks = Locks.on(store);
            Locks.Held held = locks.lock("jobs/nightly", lease).join();            // waits for its turn
            assertThat(held.key().toStringUtf8()).isEqualTo("jobs/nightly/" + Long.toHexString(lease));
            locks.unlock(held.key()).join();

            Election election = Election.named(store, "scheduler");
            Election.Leadership me = election.campaign(lease, ByteString.copyFromUtf8("host-1")).join();
            election.proclaim(me, ByteString.copyFromUtf8("host-1:ready")).join(); // only while leading
            try (Election.Observation o = election.observe(l -> printed.add(l.kv().valueUtf8()),
                    Throwable::printStackTrace)) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (printed.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
            election.resign(me).join();
            assertThat(printed).containsExactly("host-1:ready");
            assertThat(store.range(RangeRequest.prefix("scheduler/")).join().kvs()).isEmpty();
            assertThat(store.range(RangeRequest.prefix("jobs/nightly/")).join().kvs()).isEmpty();
        }
    }
}
