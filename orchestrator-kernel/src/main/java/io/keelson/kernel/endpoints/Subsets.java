package io.keelson.kernel.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Endpoints subsets as upstream builds them: RepackSubsets, SortSubsets and the 1000-address truncation. */
final class Subsets {
    private static final Comparator<EndpointAddress> BY_IP = Comparator
            .comparing((EndpointAddress a) -> ipKey(a.getIp()))
            .thenComparing(a -> a.getTargetRef() == null ? "" : String.valueOf(a.getTargetRef().getUid()));
    private static final Comparator<EndpointPort> BY_PORT = Comparator
            .comparing((EndpointPort p) -> String.valueOf(p.getName())).thenComparing(p -> p.getPort())
            .thenComparing(p -> String.valueOf(p.getProtocol()));

    private Subsets() {
    }

    /**
     * RepackSubsets: per port, the addresses serving it (an address both ready and not counts as not ready); ports
     * with the same addresses share a subset. A headless Service without ports gets one subset per pod, port-less.
     */
    static List<EndpointSubset> repack(List<EndpointsController.Member> members, boolean portless) {
        List<EndpointSubset> out = new ArrayList<>();
        if (portless) {
            for (EndpointsController.Member m : members) {
                out.add(subset(m.ready() ? List.of(m.address()) : List.of(),
                        m.ready() ? List.of() : List.of(m.address()), null));
            }
            return sorted(out);
        }
        Map<String, EndpointPort> ports = new TreeMap<>();
        Map<String, Map<String, EndpointsController.Member>> byPort = new LinkedHashMap<>();
        for (EndpointsController.Member m : members) {
            for (EndpointPort p : m.ports()) {
                String pk = p.getName() + "/" + p.getPort() + "/" + p.getProtocol();
                ports.put(pk, p);
                Map<String, EndpointsController.Member> addrs = byPort.computeIfAbsent(pk, k -> new TreeMap<>());
                String ak = m.address().getIp() + "/" + m.address().getTargetRef().getUid();
                EndpointsController.Member seen = addrs.get(ak);
                if (seen == null || seen.ready()) {
                    addrs.put(ak, m);
                }
            }
        }
        Map<String, List<String>> portsByAddressSet = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, EndpointsController.Member>> e : byPort.entrySet()) {
            StringBuilder set = new StringBuilder();
            e.getValue().forEach((ak, m) -> set.append(ak).append(m.ready() ? "+" : "-").append(';'));
            portsByAddressSet.computeIfAbsent(set.toString(), k -> new ArrayList<>()).add(e.getKey());
        }
        for (List<String> group : portsByAddressSet.values()) {
            List<EndpointAddress> ready = new ArrayList<>();
            List<EndpointAddress> notReady = new ArrayList<>();
            byPort.get(group.get(0)).values().forEach(m -> (m.ready() ? ready : notReady).add(m.address()));
            out.add(subset(ready, notReady, group.stream().map(ports::get).toList()));
        }
        return sorted(out);
    }

    private static EndpointSubset subset(List<EndpointAddress> ready, List<EndpointAddress> notReady,
                                         List<EndpointPort> ports) {
        List<EndpointAddress> r = new ArrayList<>(ready);
        List<EndpointAddress> n = new ArrayList<>(notReady);
        r.sort(BY_IP);
        n.sort(BY_IP);
        List<EndpointPort> p = ports == null ? null : new ArrayList<>(ports);
        if (p != null) {
            p.sort(BY_PORT);
        }
        return new EndpointSubsetBuilder().withAddresses(r.isEmpty() ? null : r)
                .withNotReadyAddresses(n.isEmpty() ? null : n).withPorts(p).build();
    }

    private static List<EndpointSubset> sorted(List<EndpointSubset> subsets) {
        subsets.sort(Comparator.comparing(s -> s.getPorts() == null || s.getPorts().isEmpty() ? ""
                : s.getPorts().get(0).getName() + "/" + s.getPorts().get(0).getPort()));
        return subsets;
    }

    /**
     * truncateEndpoints: above {@code max} addresses, ready ones are kept first and each subset keeps its share
     * (rounded up, within what is left); returns whether anything was cut.
     */
    static boolean truncate(List<EndpointSubset> subsets, int max) {
        int ready = 0;
        int notReady = 0;
        for (EndpointSubset s : subsets) {
            ready += s.getAddresses() == null ? 0 : s.getAddresses().size();
            notReady += s.getNotReadyAddresses() == null ? 0 : s.getNotReadyAddresses().size();
        }
        if (ready + notReady <= max) {
            return false;
        }
        int readyLeft = Math.min(ready, max);
        int notReadyLeft = ready >= max ? 0 : max - ready;
        for (EndpointSubset s : subsets) {
            readyLeft -= cut(s.getAddresses(), ready, Math.min(ready, max), readyLeft);
            notReadyLeft -= cut(s.getNotReadyAddresses(), notReady, ready >= max ? 0 : max - ready, notReadyLeft);
        }
        return true;
    }

    /** Keeps ceil(n / total * allowed) of the list, at most what is left; returns how many it kept. */
    private static int cut(List<EndpointAddress> list, int total, int allowed, int left) {
        if (list == null || list.isEmpty()) {
            return 0;
        }
        int keep = (int) Math.min(left, Math.ceil((double) list.size() / total * allowed));
        while (list.size() > keep) {
            list.remove(list.size() - 1);
        }
        return keep;
    }

    /** Addresses in the order of their bytes (as upstream sorts them), dotted IPv4 numerically. */
    private static String ipKey(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4 || !ip.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return ip;
        }
        StringBuilder key = new StringBuilder();
        for (String p : parts) {
            key.append(String.format("%03d", Integer.parseInt(p)));
        }
        return key.toString();
    }
}
