package io.keelson.cli;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.keelson.store.history.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The history a checker needs, recorded as etcd users make it: jetcd clients, each talking to one member
 * (so that every member serves reads, a deposed leader too), doing linearizable reads, writes and
 * compare-and-swaps on a few keys, each write with a value of its own. A separate writer puts keys that
 * are never overwritten, so that a lost acknowledged write shows up even where a register could hide it.
 */
final class RegisterWorkload {
    // short: a client stuck on a frozen or cut-off member gives up and sends its next request there, which
    // arrives after writes the others acknowledged meanwhile (the shape of a stale read)
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(1);
    private static final String PREFIX = "/register/";
    private static final String ACKED_PREFIX = "/acked/";

    private final String[] endpoints;
    private final int clients;
    private final int keys;
    private final long seed;
    private final List<Operation> history = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final long origin = System.nanoTime();

    RegisterWorkload(String[] endpoints, int clients, int keys, long seed) {
        this.endpoints = endpoints;
        this.clients = clients;
        this.keys = keys;
        this.seed = seed;
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static Client client(String... endpoints) {
        // no client-side retries: a write retried by the client could apply twice, which is not the
        // server's doing; a failed operation is recorded as such
        return Client.builder().endpoints(endpoints).retryMaxAttempts(0).build();
    }

    /** Nanoseconds since the workload was made, the time base of its history. */
    long now() {
        return System.nanoTime() - origin;
    }

    void start() {
        for (int p = 0; p < clients; p++) {
            int process = p;
            Thread t = new Thread(() -> runClient(process), "register-client-" + p);
            t.start();
            threads.add(t);
        }
        Thread writer = new Thread(this::runUniqueWriter, "unique-writer");
        writer.start();
        threads.add(writer);
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private void runClient(int process) {
        Random random = new Random(seed * 1_000 + process);
        try (Client client = client(endpoints[process % endpoints.length])) {
            String[] lastSeen = new String[keys];
            for (int n = 0; !stop.get(); n++) {
                int k = random.nextInt(keys);
                String key = "k" + k;
                int dice = random.nextInt(100);
                if (dice < 60) {
                    read(client, process, key).ifPresent(v -> lastSeen[k] = v);
                } else if (dice < 85) {
                    write(client, process, key, "p" + process + "-" + n);
                } else {
                    cas(client, process, key, lastSeen[k], "p" + process + "-" + n);
                }
            }
        }
    }

    /** A linearizable read; the value it saw, if it completed and found one. */
    private java.util.Optional<String> read(Client client, int process, String key) {
        long invoked = now();
        try {
            List<KeyValue> kvs = client.getKVClient().get(bytes(PREFIX + key))
                    .get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getKvs();
            String value = kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
            history.add(Operation.read(process, key, invoked, now(), value));
            return java.util.Optional.ofNullable(value);
        } catch (Exception e) {
            history.add(Operation.readFailed(process, key, invoked, now()));
            return java.util.Optional.empty();
        }
    }

    private void write(Client client, int process, String key, String value) {
        long invoked = now();
        Operation.Outcome outcome;
        try {
            client.getKVClient().put(bytes(PREFIX + key), bytes(value), PutOption.DEFAULT)
                    .get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            outcome = Operation.Outcome.OK;
        } catch (Exception e) {
            outcome = Operation.Outcome.UNKNOWN; // refused or timed out: it may still have been applied
        }
        history.add(Operation.write(process, key, value, invoked, now(), outcome));
    }

    /** If the key holds {@code expected} (absent when null), put {@code value}; else read what it holds. */
    private void cas(Client client, int process, String key, String expected, String value) {
        long invoked = now();
        ByteSequence k = bytes(PREFIX + key);
        Cmp compare = expected == null ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))
                : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(bytes(expected)));
        try {
            TxnResponse txn = client.getKVClient().txn().If(compare)
                    .Then(Op.put(k, bytes(value), PutOption.DEFAULT))
                    .Else(Op.get(k, GetOption.DEFAULT)).commit().get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            String observed = null;
            if (!txn.isSucceeded() && !txn.getGetResponses().isEmpty()
                    && !txn.getGetResponses().get(0).getKvs().isEmpty()) {
                observed = txn.getGetResponses().get(0).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
            }
            history.add(Operation.cas(process, key, expected, value, invoked, now(), Operation.Outcome.OK,
                    txn.isSucceeded(), txn.isSucceeded() ? expected : observed));
        } catch (Exception e) {
            history.add(Operation.cas(process, key, expected, value, invoked, now(), Operation.Outcome.UNKNOWN,
                    false, null));
        }
    }

    private void runUniqueWriter() {
        try (Client client = client(endpoints)) {
            for (int n = 0; !stop.get(); n++) {
                try {
                    client.getKVClient().put(bytes(ACKED_PREFIX + n), bytes("v" + n))
                            .get(OP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    acknowledged.add(ACKED_PREFIX + n);
                    // a steady trickle: a stream of writes would keep the commit index moving all the time,
                    // and a leader whose commit index had stopped is where stale reads came from
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // not acknowledged: it may or may not be there
                }
            }
        }
    }

    /**
     * After the faults: one more linearizable read of every key through each member (part of the history,
     * so a write lost at the end is caught by the check), and the acknowledged unique keys missing from
     * a linearizable read of them all. Fails if a member answers no read for {@code patience} after the
     * faults healed.
     */
    Set<String> finish(Duration patience) throws Exception {
        for (int m = 0; m < endpoints.length; m++) {
            try (Client client = client(endpoints[m])) {
                long deadline = System.nanoTime() + patience.toNanos();
                for (int k = 0; k < keys; k++) {
                    while (read(client, -1 - m, "k" + k).isEmpty() && lastFailed()) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("member " + ServerCluster.name(m) + " answered no linearizable"
                                    + " read for " + patience.toSeconds() + " s after the faults healed");
                        }
                        Thread.sleep(200);
                    }
                }
            }
        }
        Set<String> missing = ConcurrentHashMap.newKeySet();
        missing.addAll(acknowledged);
        try (Client client = client(endpoints)) {
            client.getKVClient().get(bytes(ACKED_PREFIX), GetOption.builder().isPrefix(true).withKeysOnly(true).build())
                    .get(patience.toMillis(), TimeUnit.MILLISECONDS).getKvs()
                    .forEach(kv -> missing.remove(kv.getKey().toString(StandardCharsets.UTF_8)));
        }
        return missing;
    }

    private boolean lastFailed() {
        synchronized (history) {
            return history.get(history.size() - 1).outcome() != Operation.Outcome.OK;
        }
    }

    List<Operation> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    int acknowledgedUniqueWrites() {
        return acknowledged.size();
    }
}
