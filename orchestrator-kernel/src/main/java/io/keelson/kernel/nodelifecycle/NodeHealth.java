package io.keelson.kernel.nodelifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * What the controller last saw of one node's heartbeats, and when it saw it change on its own clock: the kubelet's
 * clock is not trusted, only that its lease or status keeps moving (kube-controller-manager's probe timestamp).
 */
final class NodeHealth {
    private Object lastRenewTime;
    private String lastHeartbeat;
    private Instant probedAt;

    NodeHealth(Instant firstSeen) {
        this.probedAt = firstSeen;
    }

    /** Records what the node shows now; a change counts as a heartbeat at {@code now}. */
    void observe(Object renewTime, String readyHeartbeat, Instant now) {
        if (!Objects.equals(renewTime, lastRenewTime) || !Objects.equals(readyHeartbeat, lastHeartbeat)) {
            lastRenewTime = renewTime;
            lastHeartbeat = readyHeartbeat;
            probedAt = now;
        }
    }

    Instant probedAt() {
        return probedAt;
    }
}
