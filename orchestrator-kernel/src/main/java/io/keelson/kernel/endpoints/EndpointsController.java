package io.keelson.kernel.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's (legacy) Endpoints controller: for each Service with a selector, an Endpoints object of
 * the same name whose subsets list its pods' addresses (ready ones as addresses, others as notReadyAddresses, all as
 * addresses with publishNotReadyAddresses) with the ports they serve, repacked as upstream; over 1000 addresses it is
 * truncated and annotated {@code endpoints.kubernetes.io/over-capacity: truncated}; it goes when its Service goes.
 * Endpoints of Services without a selector are left to their owners.
 */
public final class EndpointsController implements ManagedController {
    static final int MAX_CAPACITY = 1000;
    static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
    static final String MANAGED_BY = "endpoints.kubernetes.io/managed-by";

    private final Kernel kernel;
    private final SharedInformer<Service> services;
    private final SharedInformer<Pod> pods;
    private final SharedInformer<Endpoints> endpoints;
    private final Controller controller;

    private EndpointsController(Kernel kernel, InformerFactory informers) {
        this.kernel = kernel;
        this.services = informers.forType(Service.class);
        this.pods = informers.forType(Pod.class);
        this.endpoints = informers.forType(Endpoints.class);
        this.controller = Controller.builder("endpoints").watches(services, Controller::keyOf)
                .watches(endpoints, Controller::keyOf).reconciler(this::sync).workers(5).build();
        pods.addEventHandler(PodEndpoints.servicesOf(services, controller));
    }

    public static EndpointsController create(Kernel kernel, InformerFactory informers) {
        return new EndpointsController(Objects.requireNonNull(kernel), Objects.requireNonNull(informers));
    }

    @Override
    public boolean isIdle() {
        return controller.isIdle();
    }

    @Override
    public void start() {
        controller.start();
    }

    @Override
    public void close() {
        controller.close();
    }

    /** syncService. */
    Result sync(String key) {
        Service svc = services.cache().get(key);
        Endpoints current = endpoints.cache().get(key);
        String[] nsName = key.split("/", 2);
        Resources<Endpoints> api = kernel.resources(Endpoints.class).inNamespace(nsName[0]);
        if (svc == null) {
            if (current != null && managed(current)) {
                try {
                    api.delete(nsName[1]);
                } catch (ApiException e) {
                    if (e.code() != 404) {
                        throw e;
                    }
                }
            }
            return Result.done();
        }
        if (!PodEndpoints.selects(svc)) {
            return Result.done();
        }
        boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        List<Member> members = new ArrayList<>();
        for (Pod pod : pods.cache().byIndex(Cache.NAMESPACE_INDEX, svc.getMetadata().getNamespace())) {
            if (!PodEndpoints.matches(svc, pod) || !PodEndpoints.include(pod, publishNotReady)) {
                continue;
            }
            EndpointAddress address = new EndpointAddressBuilder().withIp(pod.getStatus().getPodIP())
                    .withNodeName(pod.getSpec().getNodeName()).withNewTargetRef().withKind("Pod")
                    .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid()).endTargetRef().build();
            address.setHostname(PodEndpoints.hostname(svc, pod));
            List<EndpointPort> ports = new ArrayList<>();
            for (PodEndpoints.ResolvedPort p : PodEndpoints.ports(svc, pod)) {
                ports.add(new EndpointPortBuilder().withName(p.name().isEmpty() ? null : p.name()).withPort(p.port())
                        .withProtocol(p.protocol()).withAppProtocol(p.appProtocol()).build());
            }
            members.add(new Member(address, publishNotReady || PodEndpoints.ready(pod), ports));
        }
        List<EndpointSubset> subsets = Subsets.repack(members, svc.getSpec().getPorts().isEmpty());
        boolean truncated = Subsets.truncate(subsets, MAX_CAPACITY);
        Endpoints wanted = wanted(svc, current, subsets, truncated);
        try {
            if (current == null) {
                api.create(wanted);
            } else if (!Objects.equals(current.getSubsets(), wanted.getSubsets())
                    || !Objects.equals(current.getMetadata().getLabels(), wanted.getMetadata().getLabels())
                    || !Objects.equals(annotations(current), annotations(wanted))) {
                api.update(wanted);
            }
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404 || "AlreadyExists".equals(e.reason())) {
                return Result.requeue();
            }
            throw e;
        }
        return Result.done();
    }

    /** A pod's address, whether it is ready, and the ports it serves. */
    record Member(EndpointAddress address, boolean ready, List<EndpointPort> ports) {
    }

    private static Endpoints wanted(Service svc, Endpoints current, List<EndpointSubset> subsets, boolean truncated) {
        Map<String, String> labels = new LinkedHashMap<>(svc.getMetadata().getLabels() == null ? Map.of()
                : svc.getMetadata().getLabels());
        labels.remove(SliceReconciler.HEADLESS);
        if (PodEndpoints.headless(svc)) {
            labels.put(SliceReconciler.HEADLESS, "");
        }
        labels.put(MANAGED_BY, "endpoint-controller");
        Map<String, String> annotations = new LinkedHashMap<>(current == null ? Map.of() : annotations(current));
        annotations.remove(OVER_CAPACITY);
        if (truncated) {
            annotations.put(OVER_CAPACITY, "truncated");
        }
        EndpointsBuilder b = current == null ? new EndpointsBuilder().withNewMetadata()
                .withName(svc.getMetadata().getName()).withNamespace(svc.getMetadata().getNamespace()).endMetadata()
                : new EndpointsBuilder(current);
        return b.editMetadata().withLabels(labels).withAnnotations(annotations.isEmpty() ? null : annotations)
                .endMetadata().withSubsets(subsets).build();
    }

    private static Map<String, String> annotations(Endpoints e) {
        return e.getMetadata().getAnnotations() == null ? Map.of() : e.getMetadata().getAnnotations();
    }

    private static boolean managed(Endpoints e) {
        return e.getMetadata().getAnnotations() == null
                || !e.getMetadata().getAnnotations().containsKey("control-plane.alpha.kubernetes.io/leader");
    }
}
