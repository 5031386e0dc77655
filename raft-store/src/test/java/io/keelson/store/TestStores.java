package io.keelson.store;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Store configurations for tests: short timeouts so elections take milliseconds. */
public final class TestStores {
    private TestStores() {
    }

    public static StoreConfig singleNode(Path dir) {
        return StoreConfig.singleNode(dir).withElectionTimeout(Duration.ofMillis(150)).withMinLeaseTtlSeconds(1);
    }

    public static StoreMember openSingle(Path dir) {
        return KeelsonStore.open(singleNode(dir));
    }

    /** Configurations of a three-member group on free loopback ports, data under {@code root/<name>}. */
    public static List<StoreConfig> threeMembers(Path root) throws IOException {
        List<Peer> peers = new ArrayList<>();
        for (String name : List.of("m1", "m2", "m3")) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(new Peer(name, "127.0.0.1", s.getLocalPort()));
            }
        }
        List<StoreConfig> configs = new ArrayList<>();
        for (Peer p : peers) {
            configs.add(StoreConfig.member(root.resolve(p.name()), p.name(), peers)
                    .withElectionTimeout(Duration.ofMillis(300)).withMinLeaseTtlSeconds(1));
        }
        return configs;
    }

    /** Every key and value on {@code m}, read linearizably or from the member's own state. */
    public static java.util.Map<String, String> contents(StoreMember m, boolean serializable) {
        RangeRequest all = serializable ? RangeRequest.all().withSerializable() : RangeRequest.all();
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        m.range(all).join().kvs().forEach(kv -> out.put(kv.keyUtf8(), kv.valueUtf8()));
        return out;
    }

    public static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
