package io.keelson.kernel.node;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's pod CIDR and the addresses handed out from it: the i-th node to join gets the i-th /24 of
 * 10.64.0.0/10 (room for 16,384 nodes); pods get .2 to .254, released when they go.
 */
final class PodAddresses {
    private final String prefix;
    private final BitSet used = new BitSet(256);
    private final Map<String, Integer> byPod = new HashMap<>();

    PodAddresses(int nodeIndex) {
        this.prefix = "10." + (64 + (nodeIndex >> 8)) + "." + (nodeIndex & 0xff) + ".";
    }

    String cidr() {
        return prefix + "0/24";
    }

    /** The pod's address: the one it has, or the lowest free one; null when all are taken. */
    synchronized String assign(String podUid) {
        Integer host = byPod.get(podUid);
        if (host == null) {
            int free = used.nextClearBit(2);
            if (free > 254) {
                return null;
            }
            used.set(free);
            byPod.put(podUid, free);
            host = free;
        }
        return prefix + host;
    }

    synchronized void release(String podUid) {
        Integer host = byPod.remove(podUid);
        if (host != null) {
            used.clear(host);
        }
    }
}
