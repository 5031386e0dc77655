package io.keelson.kernel.endpoints;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.Resources;
import io.keelson.kernel.Timestamps;
import io.keelson.kernel.controller.Controller;
import io.keelson.kernel.controller.ManagedController;
import io.keelson.kernel.controller.Result;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.KeyFunctions;
import io.keelson.kernel.informer.SharedInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's EndpointSlice controller: for each Service with a selector, its pods' addresses in
 * EndpointSlices of at most 100 endpoints (ready, serving and terminating conditions, node, zone, the pod as target;
 * pods whose named ports resolve differently in slices of their own), labelled with the Service's name and owned by
 * it, one empty placeholder slice when it has no pods.
 */
public final class EndpointSliceController implements ManagedController {
    /** kube-controller-manager's {@code --max-endpoints-per-slice} default. */
    public static final int MAX_ENDPOINTS_PER_SLICE = 100;
    static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private final Kernel kernel;
    private final Clock clock;
    private final int maxEndpoints;
    private final SharedInformer<Service> services;
    private final SharedInformer<Pod> pods;
    private final SharedInformer<EndpointSlice> slices;
    private final SharedInformer<Node> nodes;
    private final Controller controller;

    private EndpointSliceController(Kernel kernel, InformerFactory informers, Clock clock, int maxEndpoints) {
        this.kernel = kernel;
        this.clock = clock;
        this.maxEndpoints = maxEndpoints;
        this.services = informers.forType(Service.class);
        this.pods = informers.forType(Pod.class);
        this.slices = informers.forType(EndpointSlice.class);
        this.nodes = informers.forType(Node.class);
        this.controller = Controller.builder("endpointslice").watches(services, Controller::keyOf)
                .watches(slices, s -> s.getMetadata().getLabels() != null
                        && SliceReconciler.CONTROLLER.equals(s.getMetadata().getLabels().get(SliceReconciler.MANAGED_BY))
                        && s.getMetadata().getLabels().containsKey(SliceReconciler.SERVICE_NAME)
                        ? List.of(KeyFunctions.key(s.getMetadata().getNamespace(),
                        s.getMetadata().getLabels().get(SliceReconciler.SERVICE_NAME))) : List.of())
                .reconciler(this::sync).workers(5).build();
        pods.addEventHandler(PodEndpoints.servicesOf(services, controller));
    }

    /** An EndpointSlice controller of at most 100 endpoints per slice. */
    public static EndpointSliceController create(Kernel kernel, InformerFactory informers, Clock clock) {
        return create(kernel, informers, clock, MAX_ENDPOINTS_PER_SLICE);
    }

    /** With another limit of endpoints per slice (1 to 1000, as the flag allows). */
    public static EndpointSliceController create(Kernel kernel, InformerFactory informers, Clock clock,
                                                 int maxEndpointsPerSlice) {
        if (maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > 1000) {
            throw new IllegalArgumentException("max endpoints per slice must be 1 to 1000: " + maxEndpointsPerSlice);
        }
        return new EndpointSliceController(Objects.requireNonNull(kernel), Objects.requireNonNull(informers),
                Objects.requireNonNull(clock), maxEndpointsPerSlice);
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
        if (svc == null || !PodEndpoints.selects(svc)) {
            return Result.done(); // a deleted Service's slices go with it (owner references)
        }
        List<EndpointSlice> existing = new ArrayList<>();
        List<EndpointSlice> foreign = new ArrayList<>();
        for (EndpointSlice s : slices.cache().byIndex(Cache.NAMESPACE_INDEX, svc.getMetadata().getNamespace())) {
            Map<String, String> labels = s.getMetadata().getLabels();
            if (labels == null || !svc.getMetadata().getName().equals(labels.get(SliceReconciler.SERVICE_NAME))
                    || !SliceReconciler.CONTROLLER.equals(labels.get(SliceReconciler.MANAGED_BY))
                    || s.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            (ownedBy(s, svc) ? existing : foreign).add(s);
        }
        SliceReconciler.Plan plan = SliceReconciler.reconcile(svc, desired(svc), existing, maxEndpoints);
        Resources<EndpointSlice> api = kernel.resources(EndpointSlice.class).inNamespace(svc.getMetadata()
                .getNamespace());
        String now = Timestamps.time(clock.instant());
        try {
            if (svc.getMetadata().getDeletionTimestamp() == null) {
                for (EndpointSlice s : plan.create()) {
                    api.create(stamped(s, now));
                }
            }
            for (EndpointSlice s : plan.update()) {
                api.update(stamped(s, now));
            }
            for (EndpointSlice s : plan.delete()) {
                delete(api, s);
            }
            for (EndpointSlice s : foreign) {
                delete(api, s);
            }
        } catch (ApiException e) {
            if (e.code() == 409 || e.code() == 404) {
                return Result.requeue(); // the cache was behind: look again
            }
            throw e;
        }
        return Result.done();
    }

    private static EndpointSlice stamped(EndpointSlice s, String now) {
        Map<String, String> annotations = s.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(s.getMetadata().getAnnotations());
        annotations.put(TRIGGER_TIME, now);
        s.getMetadata().setAnnotations(annotations);
        return s;
    }

    private static void delete(Resources<EndpointSlice> api, EndpointSlice s) {
        try {
            api.delete(s.getMetadata().getName());
        } catch (ApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
    }

    private static boolean ownedBy(EndpointSlice s, Service svc) {
        for (OwnerReference r : s.getMetadata().getOwnerReferences()) {
            if (svc.getMetadata().getUid().equals(r.getUid()) && "Service".equals(r.getKind())) {
                return true;
            }
        }
        return false;
    }

    /** The endpoints wanted, grouped by the ports their pods serve. */
    private Map<List<EndpointPort>, List<Endpoint>> desired(Service svc) {
        Map<List<EndpointPort>, List<Endpoint>> groups = new LinkedHashMap<>();
        boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        for (Pod pod : pods.cache().byIndex(Cache.NAMESPACE_INDEX, svc.getMetadata().getNamespace())) {
            if (!PodEndpoints.matches(svc, pod) || !PodEndpoints.include(pod, true)) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (PodEndpoints.ResolvedPort p : PodEndpoints.ports(svc, pod)) {
                ports.add(new EndpointPortBuilder().withName(p.name()).withPort(p.port()).withProtocol(p.protocol())
                        .withAppProtocol(p.appProtocol()).build());
            }
            groups.computeIfAbsent(SliceReconciler.portKey(ports), k -> new ArrayList<>())
                    .add(endpoint(svc, pod, publishNotReady));
        }
        return groups;
    }

    /** podToEndpoint. */
    private Endpoint endpoint(Service svc, Pod pod, boolean publishNotReady) {
        boolean serving = PodEndpoints.ready(pod);
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        String nodeName = pod.getSpec().getNodeName();
        Node node = nodeName == null || nodeName.isEmpty() ? null : nodes.cache().get(nodeName);
        String zone = node == null || node.getMetadata().getLabels() == null ? null
                : node.getMetadata().getLabels().get("topology.kubernetes.io/zone");
        return new EndpointBuilder().withAddresses(pod.getStatus().getPodIP()).withNewConditions()
                .withReady(publishNotReady || serving && !terminating).withServing(serving)
                .withTerminating(terminating).endConditions()
                .withNodeName(nodeName == null || nodeName.isEmpty() ? null : nodeName)
                .withZone(zone == null || zone.isEmpty() ? null : zone)
                .withHostname(PodEndpoints.hostname(svc, pod))
                .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata()
                        .getNamespace()).withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                        .build()).build();
    }
}
