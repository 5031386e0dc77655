package io.keelson.kernel;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.keelson.store.KeyValue;
import io.keelson.store.RangeRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Service cluster IPs and node ports, as kube-apiserver's allocators hand them out: a random free address of the
 * service range (the network and broadcast addresses never; the range's low "static" band only once the rest is
 * taken), a random free node port the same way, or the one asked for if it is free and in range. Each allocation is
 * a key under {@code /registry/ranges/} written in the same transaction as the Service (and deleted with it), so two
 * Services never hold one address even across kernels sharing a store, and a crash leaks nothing.
 */
final class ServiceRanges {
    static final String IP_PREFIX = "/registry/ranges/serviceips/";
    static final String PORT_PREFIX = "/registry/ranges/servicenodeports/";

    /** The keys a write takes (they must be free) and gives back. */
    record Claims(List<ByteString> acquire, List<ByteString> release) {
        static final Claims NONE = new Claims(List.of(), List.of());
    }

    private final IpRange ips;
    private final PortRange ports;

    /** @throws IllegalArgumentException for a malformed range */
    ServiceRanges(String serviceCidr, String nodePorts) {
        this.ips = IpRange.parse(serviceCidr);
        this.ports = PortRange.parse(nodePorts);
    }

    /**
     * Fills in the Service's cluster IP and node ports (from {@code old} on an update that left them out, else newly
     * allocated) and says which range keys the write takes and releases.
     *
     * @throws ApiException Invalid for a requested address or port that is taken or out of range, InternalError when
     *                      a range is full
     */
    Claims allocate(Environment env, Service svc, Service old) {
        ServiceSpec spec = svc.getSpec();
        if (spec == null) {
            return Claims.NONE;
        }
        keepAllocatedValues(spec, old == null ? null : old.getSpec());
        if (old != null && !needsNodePorts(spec) && needsNodePorts(old.getSpec())) {
            dropOldNodePorts(spec, old.getSpec());
        }
        if (old != null && !hasClusterIp(spec) && hasClusterIp(old.getSpec())
                && Objects.equals(spec.getClusterIP(), old.getSpec().getClusterIP())) {
            spec.setClusterIP(null); // to ExternalName: the address goes back (dropTypeDependentFields)
            spec.setClusterIPs(new ArrayList<>());
            spec.setIpFamilies(new ArrayList<>());
            spec.setIpFamilyPolicy(null);
        }
        if (hasClusterIp(spec) && isEmpty(spec.getClusterIP())) {
            spec.setClusterIP(ips.next(used(env, IP_PREFIX), env));
        } else if (hasClusterIp(spec) && !"None".equals(spec.getClusterIP()) && (old == null
                || !spec.getClusterIP().equals(old.getSpec().getClusterIP()))) {
            requestIp(svc, spec.getClusterIP());
        }
        if (hasClusterIp(spec) && !isEmpty(spec.getClusterIP())) {
            spec.setClusterIPs(new ArrayList<>(List.of(spec.getClusterIP())));
            if (spec.getIpFamilies().isEmpty() && !"None".equals(spec.getClusterIP())) {
                spec.setIpFamilies(new ArrayList<>(List.of("IPv4")));
            }
            if (spec.getIpFamilyPolicy() == null) {
                spec.setIpFamilyPolicy("SingleStack");
            }
        }
        if (needsNodePorts(spec)) {
            allocateNodePorts(env, svc, old);
        }
        Set<ByteString> before = old == null ? Set.of() : held(old);
        Set<ByteString> after = held(svc);
        List<ByteString> acquire = after.stream().filter(k -> !before.contains(k)).toList();
        List<ByteString> release = before.stream().filter(k -> !after.contains(k)).toList();
        return new Claims(acquire, release);
    }

    /** The range keys a stored Service holds. */
    static Set<ByteString> held(Service svc) {
        Set<ByteString> keys = new LinkedHashSet<>();
        ServiceSpec spec = svc.getSpec();
        if (spec == null) {
            return keys;
        }
        if (hasClusterIp(spec) && !isEmpty(spec.getClusterIP()) && !"None".equals(spec.getClusterIP())) {
            keys.add(ByteString.copyFromUtf8(IP_PREFIX + spec.getClusterIP()));
        }
        for (ServicePort p : spec.getPorts()) {
            if (p.getNodePort() != null && p.getNodePort() != 0) {
                keys.add(ByteString.copyFromUtf8(PORT_PREFIX + p.getNodePort()));
            }
        }
        return keys;
    }

    /** What a range key records: the Service that holds it. */
    static ByteString holder(Service svc) {
        return ByteString.copyFromUtf8(svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName());
    }

    /**
     * After a transaction that took {@code claims} failed: throws Invalid if an address or port the caller asked for
     * ({@code requested}) was taken meanwhile; returns if only values picked at random were (the caller picks again).
     */
    void explainConflict(Environment env, Service svc, Claims claims, Set<ByteString> requested) {
        for (ByteString key : claims.acquire()) {
            if (!requested.contains(key)
                    || env.await(env.store().range(RangeRequest.key(key)), "range").kvs().isEmpty()) {
                continue;
            }
            String k = key.toStringUtf8();
            if (k.startsWith(IP_PREFIX)) {
                throw ipError(svc, k.substring(IP_PREFIX.length()), "provided IP is already allocated");
            }
            int port = Integer.parseInt(k.substring(PORT_PREFIX.length()));
            throw portError(svc, port, "provided port is already allocated");
        }
    }

    // --- cluster IPs

    private static boolean hasClusterIp(ServiceSpec spec) {
        return !"ExternalName".equals(spec.getType());
    }

    /** An update that leaves the cluster IP or a node port out keeps the allocated one (patchAllocatedValues). */
    private static void keepAllocatedValues(ServiceSpec spec, ServiceSpec old) {
        if (old == null) {
            return;
        }
        if (hasClusterIp(spec) && hasClusterIp(old) && isEmpty(spec.getClusterIP()) && !isEmpty(old.getClusterIP())) {
            spec.setClusterIP(old.getClusterIP());
        }
        if (needsNodePorts(spec) && needsNodePorts(old)) {
            for (ServicePort p : spec.getPorts()) {
                if (p.getNodePort() == null || p.getNodePort() == 0) {
                    for (ServicePort o : old.getPorts()) {
                        if (Objects.equals(o.getPort(), p.getPort()) && Objects.equals(o.getProtocol(),
                                p.getProtocol())) {
                            p.setNodePort(o.getNodePort());
                        }
                    }
                }
            }
        }
    }

    /** A type that has no node ports any more drops the ones it had (dropTypeDependentFields); new ones stay. */
    private static void dropOldNodePorts(ServiceSpec spec, ServiceSpec old) {
        Set<Integer> had = new java.util.HashSet<>();
        old.getPorts().forEach(p -> had.add(p.getNodePort()));
        for (ServicePort p : spec.getPorts()) {
            if (p.getNodePort() != null && had.contains(p.getNodePort())) {
                p.setNodePort(null);
            }
        }
    }

    private void requestIp(Service svc, String ip) {
        long value = IpRange.toLong(ip);
        if (value < 0) {
            return; // not an address: validation says so
        }
        if (!ips.contains(value)) {
            throw ipError(svc, ip, "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs"
                    + " is " + ips.cidr);
        }
    }

    private static ApiException ipError(Service svc, String ip, String why) {
        return Statuses.invalid(BuiltinTypes.SERVICES, svc.getMetadata().getName(), List.of(FieldError.invalid(
                "spec.clusterIPs", List.of(ip), "failed to allocate IP " + ip + ": " + why)));
    }

    // --- node ports

    private static boolean needsNodePorts(ServiceSpec spec) {
        return "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType())
                && !Boolean.FALSE.equals(spec.getAllocateLoadBalancerNodePorts());
    }

    /** Ports with the same number share one node port (53/TCP and 53/UDP), as upstream. */
    private void allocateNodePorts(Environment env, Service svc, Service old) {
        Set<Integer> before = new java.util.HashSet<>();
        if (old != null) {
            old.getSpec().getPorts().forEach(p -> before.add(p.getNodePort()));
        }
        Set<String> used = null;
        Map<Integer, Integer> byPort = new HashMap<>();
        List<ServicePort> list = svc.getSpec().getPorts();
        for (ServicePort p : list) {
            if (p.getNodePort() != null && p.getNodePort() != 0) {
                byPort.putIfAbsent(p.getPort(), p.getNodePort());
            }
        }
        for (int i = 0; i < list.size(); i++) {
            ServicePort p = list.get(i);
            Integer requested = p.getNodePort() == null || p.getNodePort() == 0 ? null : p.getNodePort();
            if (requested != null) {
                if (!before.contains(requested) && !ports.contains(requested)) {
                    throw portError(svc, i, requested, "provided port is not in the valid range. The range of valid"
                            + " ports is " + ports);
                }
                continue;
            }
            Integer shared = byPort.get(p.getPort());
            if (shared == null) {
                if (used == null) {
                    used = used(env, PORT_PREFIX);
                }
                shared = ports.next(used, env);
                used.add(Integer.toString(shared));
                byPort.put(p.getPort(), shared);
            }
            p.setNodePort(shared);
        }
    }

    private ApiException portError(Service svc, int port, String why) {
        List<ServicePort> list = svc.getSpec().getPorts();
        for (int i = 0; i < list.size(); i++) {
            if (Objects.equals(list.get(i).getNodePort(), port)) {
                return portError(svc, i, port, why);
            }
        }
        return portError(svc, 0, port, why);
    }

    private static ApiException portError(Service svc, int index, int port, String why) {
        return Statuses.invalid(BuiltinTypes.SERVICES, svc.getMetadata().getName(), List.of(FieldError.invalid(
                "spec.ports[" + index + "].nodePort", port, why)));
    }

    /** The taken values of one range (the last part of each key). */
    private static Set<String> used(Environment env, String prefix) {
        Set<String> values = new java.util.HashSet<>();
        for (KeyValue kv : env.await(env.store().range(RangeRequest.prefix(ByteString.copyFromUtf8(prefix))
                .withKeysOnly()), "range " + prefix).kvs()) {
            values.add(kv.keyUtf8().substring(prefix.length()));
        }
        return values;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /**
     * Picks a random free offset in {@code [0, size)}: first from {@code [low, size)} scanning on from a random
     * start, then from the low band {@code [0, low)} (randomScanStrategyWithOffset); -1 when all are taken.
     */
    static int pick(int size, int low, java.util.function.IntPredicate taken, java.util.random.RandomGenerator random) {
        for (int[] band : new int[][] {{low, size}, {0, low}}) {
            int n = band[1] - band[0];
            if (n <= 0) {
                continue;
            }
            int start = random.nextInt(n);
            for (int i = 0; i < n; i++) {
                int offset = band[0] + (start + i) % n;
                if (!taken.test(offset)) {
                    return offset;
                }
            }
        }
        return -1;
    }

    /** An IPv4 service range: the addresses after the network address and before the broadcast address. */
    record IpRange(String cidr, long base, int size) {
        static IpRange parse(String cidr) {
            int slash = cidr.indexOf('/');
            long network = slash < 0 ? -1 : toLong(cidr.substring(0, slash));
            int bits;
            try {
                bits = slash < 0 ? -1 : Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (network < 0 || bits < 0 || bits > 29) {
                throw new IllegalArgumentException("service cluster IP range must be an IPv4 CIDR of at least 8"
                        + " addresses (such as 10.96.0.0/12): " + cidr);
            }
            long mask = (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
            if ((network & ~mask & 0xFFFFFFFFL) != 0) {
                throw new IllegalArgumentException("service cluster IP range " + cidr + " has host bits set");
            }
            return new IpRange(cidr, network + 1, (int) Math.min((1L << (32 - bits)) - 2, Integer.MAX_VALUE));
        }

        boolean contains(long ip) {
            return ip >= base && ip < base + size;
        }

        /** calculateRangeOffset: the low band kept for addresses asked for by value. */
        int staticBand() {
            long cidrSize = size + 2L;
            return cidrSize <= 16 ? 0 : (int) Math.min(Math.max(16, cidrSize / 16), 256);
        }

        String next(Set<String> used, Environment env) {
            int offset = pick(size, staticBand(), o -> used.contains(toText(base + o)), env.random());
            if (offset < 0) {
                throw Statuses.internal("failed to allocate a serviceIP: range is full");
            }
            return toText(base + offset);
        }

        /** The address as a number, -1 when the text is not a dotted IPv4 address. */
        static long toLong(String ip) {
            String[] parts = ip.split("\\.", -1);
            if (parts.length != 4) {
                return -1;
            }
            long value = 0;
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                    return -1;
                }
                int octet = Integer.parseInt(p);
                if (octet > 255) {
                    return -1;
                }
                value = value << 8 | octet;
            }
            return value;
        }

        static String toText(long ip) {
            return (ip >>> 24 & 0xFF) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
        }
    }

    /** A node port range such as {@code 30000-32767}. */
    record PortRange(int first, int last) {
        static PortRange parse(String range) {
            String[] parts = range.split("-", -1);
            try {
                int first = Integer.parseInt(parts[0].trim());
                int last = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : first;
                if (parts.length <= 2 && first >= 1 && last <= 65535 && first <= last) {
                    return new PortRange(first, last);
                }
            } catch (NumberFormatException e) {
                // the message below says what is expected
            }
            throw new IllegalArgumentException("service node port range must be FIRST-LAST within 1-65535 (such as"
                    + " 30000-32767): " + range);
        }

        boolean contains(int port) {
            return port >= first && port <= last;
        }

        int size() {
            return last - first + 1;
        }

        /** The port allocator's low band: min(max(16, size / 32), 128), none for 16 ports or fewer. */
        int staticBand() {
            return size() <= 16 ? 0 : Math.min(Math.max(16, size() / 32), 128);
        }

        int next(Set<String> used, Environment env) {
            int offset = pick(size(), staticBand(), o -> used.contains(Integer.toString(first + o)), env.random());
            if (offset < 0) {
                throw Statuses.internal("failed to allocate a nodePort: range is full");
            }
            return first + offset;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }
}
