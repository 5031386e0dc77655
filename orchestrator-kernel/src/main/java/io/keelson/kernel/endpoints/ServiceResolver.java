package io.keelson.kernel.endpoints;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kube-dns and kube-proxy's place in a process without a network: a Service's DNS name
 * ({@code web.shop.svc.cluster.local}, {@code web.shop.svc} or {@code web.shop}) resolves to its cluster IP (a
 * headless Service's to its ready pods' addresses), and a pick for one of its ports goes round-robin over the ready
 * endpoints of its EndpointSlices, at the port each pod serves.
 *
 * <pre>{@code
 * ServiceResolver dns = ServiceResolver.create(informers);
 * informers.startAll().join();
 * dns.resolve("web.shop.svc.cluster.local");         // [10.96.14.3]
 * dns.pick("web.shop.svc.cluster.local", "http");     // Optional[10.64.0.7:8080], then the next ready pod
 * }</pre>
 */
public final class ServiceResolver {
    private final SharedInformer<Service> services;
    private final SharedInformer<EndpointSlice> slices;
    private final String clusterDomain;
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();

    private ServiceResolver(InformerFactory informers, String clusterDomain) {
        this.services = informers.forType(Service.class);
        this.slices = informers.forType(EndpointSlice.class);
        this.clusterDomain = clusterDomain;
    }

    /** A resolver for the {@code cluster.local} domain on {@code informers}' Service and EndpointSlice caches. */
    public static ServiceResolver create(InformerFactory informers) {
        return create(informers, "cluster.local");
    }

    public static ServiceResolver create(InformerFactory informers, String clusterDomain) {
        return new ServiceResolver(Objects.requireNonNull(informers), Objects.requireNonNull(clusterDomain));
    }

    /**
     * The addresses a Service's name resolves to: its cluster IP, or for a headless Service its ready endpoints'
     * addresses; empty for an unknown name (NXDOMAIN) and for an ExternalName Service.
     */
    public List<String> resolve(String name) {
        Service svc = service(name);
        if (svc == null || "ExternalName".equals(svc.getSpec().getType())) {
            return List.of();
        }
        if (!PodEndpoints.headless(svc)) {
            return List.of(svc.getSpec().getClusterIP());
        }
        List<String> addresses = new ArrayList<>();
        for (Target t : readyTargets(svc, null)) {
            addresses.add(t.address());
        }
        return addresses.stream().distinct().sorted().toList();
    }

    /** The next ready endpoint for the Service port of this name (round-robin); empty when none is ready. */
    public Optional<InetSocketAddress> pick(String name, String portName) {
        return pick(name, svc -> svc.getSpec().getPorts().stream()
                .filter(p -> Objects.equals(p.getName() == null ? "" : p.getName(), portName)).findFirst());
    }

    /** The next ready endpoint for the Service port of this number (round-robin); empty when none is ready. */
    public Optional<InetSocketAddress> pick(String name, int port) {
        return pick(name, svc -> svc.getSpec().getPorts().stream().filter(p -> Objects.equals(p.getPort(), port))
                .findFirst());
    }

    private Optional<InetSocketAddress> pick(String name,
                                             java.util.function.Function<Service, Optional<ServicePort>> port) {
        Service svc = service(name);
        if (svc == null) {
            return Optional.empty();
        }
        Optional<ServicePort> sp = port.apply(svc);
        if (sp.isEmpty()) {
            return Optional.empty();
        }
        List<Target> targets = readyTargets(svc, sp.get().getName() == null ? "" : sp.get().getName());
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        int turn = turns.computeIfAbsent(KeyFunctions.key(svc) + ":" + sp.get().getName(), k -> new AtomicInteger())
                .getAndIncrement();
        Target t = targets.get(Math.floorMod(turn, targets.size()));
        return Optional.of(InetSocketAddress.createUnresolved(t.address(), t.port()));
    }

    /** An endpoint address and the port it serves the asked port on (0 when no port was asked for). */
    private record Target(String address, int port) {
    }

    private List<Target> readyTargets(Service svc, String portName) {
        List<Target> targets = new ArrayList<>();
        for (EndpointSlice s : slices.cache().byIndex(Cache.NAMESPACE_INDEX, svc.getMetadata().getNamespace())) {
            if (s.getMetadata().getLabels() == null
                    || !svc.getMetadata().getName().equals(s.getMetadata().getLabels().get(SliceReconciler.SERVICE_NAME))) {
                continue;
            }
            Integer port = portName == null ? Integer.valueOf(0) : s.getPorts().stream()
                    .filter(p -> Objects.equals(p.getName() == null ? "" : p.getName(), portName))
                    .map(EndpointPort::getPort).findFirst().orElse(null);
            if (port == null) {
                continue; // these pods do not serve that port
            }
            for (Endpoint e : s.getEndpoints()) {
                if (e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())) {
                    e.getAddresses().forEach(a -> targets.add(new Target(a, port)));
                }
            }
        }
        targets.sort(Comparator.comparing(Target::address).thenComparingInt(Target::port));
        return targets;
    }

    /** The Service a DNS name names: {@code name.namespace[.svc[.<cluster domain>]]}, a trailing dot allowed. */
    private Service service(String name) {
        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (String suffix : List.of(".svc." + clusterDomain, ".svc")) {
            if (host.endsWith(suffix)) {
                host = host.substring(0, host.length() - suffix.length());
                break;
            }
        }
        String[] parts = host.split("\\.");
        if (parts.length != 2) {
            return null;
        }
        return services.cache().get(KeyFunctions.key(parts[1], parts[0]));
    }
}
