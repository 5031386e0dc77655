package io.keelson.kernel.scheduler.framework;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The host ports in use on a node, by IP, as kube-scheduler's {@code HostPortInfo}: a port bound on 0.0.0.0
 * conflicts with the same port and protocol on every IP, and a port on a specific IP with the same port on 0.0.0.0.
 */
public final class HostPorts {
    /** The wildcard host IP; an empty host IP means it too. */
    public static final String ANY_IP = "0.0.0.0";

    /** A host port: IP (empty = any), protocol (empty = TCP) and port number. */
    public record Port(String ip, String protocol, int port) {
        public Port {
            ip = ip == null || ip.isEmpty() ? ANY_IP : ip;
            protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
        }
    }

    private record ProtocolPort(String protocol, int port) {
    }

    private final Map<String, Set<ProtocolPort>> byIp = new HashMap<>();

    public void add(Port p) {
        byIp.computeIfAbsent(p.ip(), ip -> new HashSet<>()).add(new ProtocolPort(p.protocol(), p.port()));
    }

    public void remove(Port p) {
        Set<ProtocolPort> ports = byIp.get(p.ip());
        if (ports != null && ports.remove(new ProtocolPort(p.protocol(), p.port())) && ports.isEmpty()) {
            byIp.remove(p.ip());
        }
    }

    /** Whether {@code p} conflicts with a port in use. */
    public boolean conflicts(Port p) {
        ProtocolPort pp = new ProtocolPort(p.protocol(), p.port());
        if (p.ip().equals(ANY_IP)) {
            return byIp.values().stream().anyMatch(ports -> ports.contains(pp));
        }
        return contains(ANY_IP, pp) || contains(p.ip(), pp);
    }

    public int size() {
        return byIp.values().stream().mapToInt(Set::size).sum();
    }

    public HostPorts copy() {
        HostPorts c = new HostPorts();
        byIp.forEach((ip, ports) -> c.byIp.put(ip, new HashSet<>(ports)));
        return c;
    }

    private boolean contains(String ip, ProtocolPort pp) {
        Set<ProtocolPort> ports = byIp.get(ip);
        return ports != null && ports.contains(pp);
    }
}
