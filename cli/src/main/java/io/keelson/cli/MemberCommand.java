package io.keelson.cli;

import io.keelson.store.KeelsonStore;
import io.keelson.store.Peer;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs one member of a store group in this process until it is stopped (SIGTERM / Ctrl-C), without a
 * client port: it replicates and votes, and clients reach the group through the other members (embedded
 * ones, or ones started by {@code bin/keelson} with etcd's flags, which also serve etcd's gRPC API).
 * Tests use it to run a peer as a separate process.
 */
@Command(name = "member", mixinStandardHelpOptions = true,
        description = "Run one member of a Raft group until stopped, without a client port"
                + " (bin/keelson with etcd's flags runs a member that serves etcd clients).")
final class MemberCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--name", required = true, description = "This member's name (one of --peer).")
    String name;

    @Option(names = "--data-dir", required = true, description = "Directory for the Raft log and state.")
    Path dataDir;

    @Option(names = "--peer", required = true, description = "Every member as name=host:port (repeat).")
    Map<String, String> peers;

    @Option(names = "--snapshot-count", defaultValue = "10000", description = "Entries between snapshots.")
    long snapshotCount;

    @Override
    public Integer call() throws InterruptedException {
        List<Peer> group = new ArrayList<>();
        for (Map.Entry<String, String> p : peers.entrySet()) {
            String address = p.getValue();
            int colon = address.lastIndexOf(':');
            if (colon <= 0) {
                throw new ParameterException(spec.commandLine(), "--peer " + p.getKey() + "=" + address
                        + ": expected name=host:port");
            }
            try {
                group.add(new Peer(p.getKey(), address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1))));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--peer " + p.getKey() + "=" + address + ": "
                        + e.getMessage());
            }
        }
        StoreConfig config;
        try {
            config = StoreConfig.member(dataDir, name, group).withSnapshotCount(snapshotCount,
                    Math.min(5000, snapshotCount));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        StoreMember member = KeelsonStore.open(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            member.close();
            stopped.countDown();
        }, "keelson-shutdown"));
        System.out.println("keelson member " + name + " started, peers " + group);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
