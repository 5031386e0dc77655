package io.keelson.kernel.endpoints;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The EndpointSlice reconciler's plan for one Service (reconcileByPortMapping and finalize): endpoints stay in the
 * slice they are in; slices that lost endpoints are updated, emptied ones deleted; new endpoints first fill the
 * slices being updated (fullest first), then the unchanged slice they fit closest to full, then new slices of up to
 * {@code max}; a Service with no endpoints keeps one empty placeholder slice; a create and a delete together become
 * an update of the slice that would go.
 */
final class SliceReconciler {
    static final String SERVICE_NAME = "kubernetes.io/service-name";
    static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String CONTROLLER = "endpointslice-controller.k8s.io";
    static final String HEADLESS = "service.kubernetes.io/headless";

    /** Slices to create (generated names), update (existing names) and delete. */
    record Plan(List<EndpointSlice> create, List<EndpointSlice> update, List<EndpointSlice> delete) {
        boolean isEmpty() {
            return create.isEmpty() && update.isEmpty() && delete.isEmpty();
        }
    }

    private final Service svc;
    private final int max;
    private final Map<String, String> labels;
    private final List<EndpointSlice> create = new ArrayList<>();
    private final List<EndpointSlice> update = new ArrayList<>();
    private final List<EndpointSlice> delete = new ArrayList<>();

    private SliceReconciler(Service svc, int max) {
        this.svc = svc;
        this.max = max;
        this.labels = labels(svc);
    }

    /**
     * @param desired  the endpoints wanted, by the ports they serve (pods whose named ports differ are apart)
     * @param existing the Service's current slices (owned by it, not being deleted)
     */
    static Plan reconcile(Service svc, Map<List<EndpointPort>, List<Endpoint>> desired, List<EndpointSlice> existing,
                          int max) {
        SliceReconciler r = new SliceReconciler(svc, max);
        Map<List<EndpointPort>, List<EndpointSlice>> byPorts = new LinkedHashMap<>();
        for (EndpointSlice s : existing) {
            byPorts.computeIfAbsent(portKey(s.getPorts()), k -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<List<EndpointPort>, List<Endpoint>> group : desired.entrySet()) {
            List<EndpointPort> key = portKey(group.getKey());
            r.reconcileGroup(key, group.getValue(), byPorts.getOrDefault(key, List.of()));
            byPorts.remove(key);
        }
        byPorts.values().forEach(r.delete::addAll);
        r.placeholder(existing);
        r.recycle();
        return new Plan(r.create, r.update, r.delete);
    }

    private void reconcileGroup(List<EndpointPort> ports, List<Endpoint> wanted, List<EndpointSlice> slices) {
        Map<String, Endpoint> left = new LinkedHashMap<>();
        wanted.forEach(e -> left.put(identity(e), e));
        List<EndpointSlice> updating = new ArrayList<>();
        List<EndpointSlice> unchanged = new ArrayList<>();
        for (EndpointSlice s : slices) {
            List<Endpoint> kept = new ArrayList<>();
            boolean changed = false;
            for (Endpoint e : s.getEndpoints()) {
                Endpoint want = left.remove(identity(e));
                if (want == null) {
                    changed = true;
                } else {
                    changed |= !same(e, want);
                    kept.add(want);
                }
            }
            if (kept.isEmpty()) {
                delete.add(s);
            } else if (changed || !labels.equals(s.getMetadata().getLabels())) {
                updating.add(withEndpoints(s, kept));
            } else {
                unchanged.add(s);
            }
        }
        List<Endpoint> rest = new ArrayList<>(left.values());
        updating.sort(Comparator.comparingInt((EndpointSlice s) -> s.getEndpoints().size()).reversed());
        for (EndpointSlice s : updating) {
            while (!rest.isEmpty() && s.getEndpoints().size() < max) {
                s.getEndpoints().add(rest.remove(0));
            }
        }
        update.addAll(updating);
        while (!rest.isEmpty()) {
            EndpointSlice fill = rest.size() < max ? closestToFull(unchanged, rest.size()) : null;
            if (fill != null) {
                unchanged.remove(fill);
                EndpointSlice s = withEndpoints(fill, new ArrayList<>(fill.getEndpoints()));
                s.getEndpoints().addAll(rest);
                rest.clear();
                update.add(s);
            } else {
                List<Endpoint> chunk = new ArrayList<>(rest.subList(0, Math.min(max, rest.size())));
                rest.subList(0, chunk.size()).clear();
                create.add(newSlice(ports, chunk));
            }
        }
    }

    /** getSliceToFill: the unchanged slice the endpoints fit into with the least room left. */
    private EndpointSlice closestToFull(List<EndpointSlice> unchanged, int count) {
        EndpointSlice best = null;
        for (EndpointSlice s : unchanged) {
            int room = max - s.getEndpoints().size() - count;
            if (room >= 0 && (best == null || room < max - best.getEndpoints().size() - count)) {
                best = s;
            }
        }
        return best;
    }

    /** A Service whose slices all go and none is made keeps (or gets) one empty placeholder. */
    private void placeholder(List<EndpointSlice> existing) {
        boolean keepsOne = existing.stream().anyMatch(s -> !delete.contains(s));
        if (keepsOne || !create.isEmpty()) {
            return;
        }
        for (EndpointSlice s : delete) {
            if (s.getEndpoints().isEmpty() && s.getPorts().isEmpty() && labels.equals(s.getMetadata().getLabels())) {
                delete.remove(s); // already the placeholder
                return;
            }
        }
        create.add(newSlice(List.of(), new ArrayList<>()));
    }

    /** finalize's recycling: a slice to create takes the name of one to delete, as an update. */
    private void recycle() {
        while (!create.isEmpty() && !delete.isEmpty()) {
            EndpointSlice fresh = create.remove(create.size() - 1);
            EndpointSlice old = delete.remove(delete.size() - 1);
            update.add(new EndpointSliceBuilder(old).withPorts(fresh.getPorts()).withEndpoints(fresh.getEndpoints())
                    .editMetadata().withLabels(new LinkedHashMap<>(labels)).endMetadata().build());
        }
    }

    private EndpointSlice withEndpoints(EndpointSlice s, List<Endpoint> endpoints) {
        EndpointSlice copy = new EndpointSliceBuilder(s).editMetadata().withLabels(new LinkedHashMap<>(labels))
                .endMetadata().build();
        copy.setEndpoints(new ArrayList<>(endpoints));
        return copy;
    }

    private EndpointSlice newSlice(List<EndpointPort> ports, List<Endpoint> endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withGenerateName(svc.getMetadata().getName() + "-")
                .withNamespace(svc.getMetadata().getNamespace()).withLabels(new LinkedHashMap<>(labels))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service")
                        .withName(svc.getMetadata().getName()).withUid(svc.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata().withAddressType("IPv4").withPorts(new ArrayList<>(ports))
                .withEndpoints(endpoints).build();
    }

    /** The slices' labels: the Service's (but the reserved ones), whose slices these are, and headless-ness. */
    static Map<String, String> labels(Service svc) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (svc.getMetadata().getLabels() != null) {
            svc.getMetadata().getLabels().forEach((k, v) -> {
                if (!k.equals(SERVICE_NAME) && !k.equals(MANAGED_BY) && !k.equals(HEADLESS)) {
                    labels.put(k, v);
                }
            });
        }
        labels.put(SERVICE_NAME, svc.getMetadata().getName());
        labels.put(MANAGED_BY, CONTROLLER);
        if (PodEndpoints.headless(svc)) {
            labels.put(HEADLESS, "");
        }
        return labels;
    }

    /** Ports compared as a set: the same ports in another order are the same group. */
    static List<EndpointPort> portKey(List<EndpointPort> ports) {
        List<EndpointPort> key = new ArrayList<>();
        for (EndpointPort p : ports) {
            key.add(new EndpointPortBuilder().withName(p.getName()).withPort(p.getPort())
                    .withProtocol(p.getProtocol()).withAppProtocol(p.getAppProtocol()).build());
        }
        key.sort(Comparator.comparing((EndpointPort p) -> String.valueOf(p.getName()))
                .thenComparing(p -> p.getPort() == null ? 0 : p.getPort())
                .thenComparing(p -> String.valueOf(p.getProtocol())));
        return key;
    }

    /** An endpoint is its pod (its addresses when it has no target). */
    private static String identity(Endpoint e) {
        ObjectReference ref = e.getTargetRef();
        return ref != null && ref.getUid() != null ? ref.getUid() : String.join(",", e.getAddresses());
    }

    /** EndpointsEqualBeyondHash: addresses, conditions, node, zone, hostname and target (not its version). */
    static boolean same(Endpoint a, Endpoint b) {
        return Objects.equals(a.getAddresses(), b.getAddresses())
                && Objects.equals(a.getConditions(), b.getConditions())
                && Objects.equals(a.getNodeName(), b.getNodeName()) && Objects.equals(a.getZone(), b.getZone())
                && Objects.equals(a.getHostname(), b.getHostname()) && sameTarget(a.getTargetRef(), b.getTargetRef());
    }

    private static boolean sameTarget(ObjectReference a, ObjectReference b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.getKind(), b.getKind()) && Objects.equals(a.getNamespace(), b.getNamespace())
                && Objects.equals(a.getName(), b.getName()) && Objects.equals(a.getUid(), b.getUid());
    }
}
