package io.keelson.kernel.gc;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.keelson.kernel.ResourceType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every object the collector knows, by uid, and the owner-to-dependents edges of their ownerReferences (the
 * garbage collector's {@code uidToNode} graph). Fed by the informers' events; thread-safe.
 */
final class OwnerGraph {
    /** One object as the graph knows it. */
    record Node(ResourceType<?> type, String namespace, String name, String uid, List<OwnerReference> owners) {
    }

    private final Map<String, Node> nodes = new HashMap<>();
    /** owner uid to the uids of the objects that name it; an owner may not exist (dangling references). */
    private final Map<String, Set<String>> dependents = new HashMap<>();

    synchronized void put(ResourceType<?> type, HasMetadata object) {
        String uid = object.getMetadata().getUid();
        removeEdges(nodes.get(uid));
        Node node = new Node(type, object.getMetadata().getNamespace(), object.getMetadata().getName(), uid,
                List.copyOf(object.getMetadata().getOwnerReferences()));
        nodes.put(uid, node);
        for (OwnerReference ref : node.owners()) {
            dependents.computeIfAbsent(ref.getUid(), k -> new HashSet<>()).add(uid);
        }
    }

    synchronized void remove(String uid) {
        removeEdges(nodes.remove(uid));
    }

    private void removeEdges(Node node) {
        if (node == null) {
            return;
        }
        for (OwnerReference ref : node.owners()) {
            Set<String> set = dependents.get(ref.getUid());
            if (set != null) {
                set.remove(node.uid());
                if (set.isEmpty()) {
                    dependents.remove(ref.getUid());
                }
            }
        }
    }

    synchronized Node node(String uid) {
        return nodes.get(uid);
    }

    /** The objects that name {@code ownerUid} as an owner. */
    synchronized List<Node> dependentsOf(String ownerUid) {
        Set<String> uids = dependents.getOrDefault(ownerUid, Set.of());
        return uids.stream().map(nodes::get).filter(n -> n != null).toList();
    }
}
