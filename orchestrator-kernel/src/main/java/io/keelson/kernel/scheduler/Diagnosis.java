package io.keelson.kernel.scheduler;

import io.keelson.kernel.scheduler.framework.Status;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why a pod fits no node, as kube-scheduler's {@code Diagnosis} and {@code FitError}: each rejected node's status,
 * the plugins that rejected, and the PreFilter / PostFilter messages; {@link #message()} is the FailedScheduling
 * text ({@code 0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint(s).}).
 */
final class Diagnosis {
    final int numAllNodes;
    final Map<String, Status> nodeStatuses = new ConcurrentHashMap<>();
    /** The status of nodes without an entry (PreFilter's rejection or narrowing); none by default. */
    Status absentNodesStatus = Status.unresolvable();
    final Set<String> unschedulablePlugins = ConcurrentHashMap.newKeySet();
    String preFilterMessage = "";
    String postFilterMessage = "";

    Diagnosis(int numAllNodes) {
        this.numAllNodes = numAllNodes;
    }

    void addPluginStatus(Status s) {
        if (s.plugin() != null && s.isRejected()) {
            unschedulablePlugins.add(s.plugin());
        }
    }

    void reject(String node, Status s) {
        nodeStatuses.put(node, s);
        addPluginStatus(s);
    }

    /** The status of {@code node}: its own, or that of nodes without one. */
    Status statusOf(String node) {
        return nodeStatuses.getOrDefault(node, absentNodesStatus);
    }

    /** kube-scheduler's {@code FitError.Error()}. */
    String message() {
        StringBuilder msg = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
        if (!preFilterMessage.isEmpty()) {
            msg.append(' ').append(preFilterMessage).append('.');
        } else {
            String histogram = Status.reasonHistogram(nodeStatuses.values(), numAllNodes - nodeStatuses.size(),
                    absentNodesStatus);
            if (!histogram.isEmpty()) {
                msg.append(' ').append(histogram).append('.');
            }
        }
        if (!postFilterMessage.isEmpty()) {
            msg.append(' ').append(postFilterMessage);
        }
        return msg.toString();
    }

    Set<String> rejectors() {
        return new HashSet<>(unschedulablePlugins);
    }
}
