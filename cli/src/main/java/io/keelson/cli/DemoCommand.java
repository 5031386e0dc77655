package io.keelson.cli;

import com.google.protobuf.ByteString;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.KeelsonStore;
import io.keelson.store.KeyValue;
import io.keelson.store.Lease;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Opens a single-node store and walks through its API, printing revisions as they advance. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a single-node store, write, read, run a txn, use a lease and compact; then run the"
                + " orchestration kernel on it: apply a manifest, watch, conflict, validation, events, garbage"
                + " collection and namespace deletion; the scheduler; then the control loop: simulated nodes, a"
                + " Deployment rolled out, a node lost, a Service, an undo.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = "demo.keelson", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    private final PrintStream out = StampedOutput.around(System.out);

    @Override
    public Integer call() {
        out.println("opening a single-node store in " + dataDir.toAbsolutePath());
        try (StoreMember store = KeelsonStore.open(StoreConfig.singleNode(dataDir))) {
            out.println("leader: " + store.status().leader().orElse("none") + ", revision "
                    + store.status().revision());
            long r1 = store.put(PutRequest.of("/demo/greeting", "hello")).join().header().revision();
            long r2 = store.put(PutRequest.of("/demo/greeting", "hello again")).join().header().revision();
            store.put(PutRequest.of("/demo/count", "1")).join();
            out.println("put /demo/greeting twice: revisions " + r1 + " and " + r2);
            print("current /demo/ prefix", store.range(RangeRequest.prefix("/demo/")).join());
            print("/demo/greeting at revision " + r1, store.range(RangeRequest.key("/demo/greeting").atRevision(r1))
                    .join());

            TxnResponse txn = store.txn(TxnRequest.of(
                    List.of(Compare.value(ByteString.copyFromUtf8("/demo/count"), Compare.Result.EQUAL,
                            ByteString.copyFromUtf8("1"))),
                    List.of(PutRequest.of("/demo/count", "2"), PutRequest.of("/demo/txn", "applied")),
                    List.of())).join();
            out.println("txn (count == 1 ? count=2, txn=applied) succeeded=" + txn.succeeded() + " at revision "
                    + txn.header().revision());

            long lease = store.leaseGrant(Lease.GrantRequest.ttl(30)).join().id();
            store.put(PutRequest.of("/demo/session", "alive").withLease(lease)).join();
            long revoked = store.leaseRevoke(lease).join().header().revision();
            out.printf("lease %x revoked at revision %d; /demo/session exists: %b%n", lease, revoked,
                    !store.range(RangeRequest.key("/demo/session")).join().kvs().isEmpty());

            store.compact(r2).join();
            try {
                store.range(RangeRequest.key("/demo/greeting").atRevision(r1)).join();
            } catch (CompletionException e) {
                StoreException se = (StoreException) e.getCause();
                out.println("read at revision " + r1 + " after compacting to " + r2 + ": " + se.getMessage());
            }
            long deleted = store.delete(DeleteRangeRequest.prefix("/demo/")).join().deleted();
            out.println("deleted " + deleted + " keys; store revision now " + store.status().revision());
            new KernelDemo(store, out).run();
            new SchedulerDemo(store, out).run();
            new ClusterDemo(store, out).run();
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        out.println("closed; the data stays in " + dataDir + " (run again to see revisions continue)");
        return 0;
    }

    private void print(String title, RangeResponse r) {
        out.println(title + " (header revision " + r.header().revision() + "):");
        for (KeyValue kv : r.kvs()) {
            out.printf("  %s = %s  (create %d, mod %d, version %d)%n", kv.keyUtf8(), kv.valueUtf8(),
                    kv.createRevision(), kv.modRevision(), kv.version());
        }
    }
}
