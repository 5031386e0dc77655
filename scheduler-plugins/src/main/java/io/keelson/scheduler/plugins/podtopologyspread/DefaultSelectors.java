package io.keelson.scheduler.plugins.podtopologyspread;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.keelson.kernel.LabelSelector;
import io.keelson.kernel.informer.Cache;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.informer.SharedInformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The selector default constraints spread a pod by (kube-scheduler's {@code helper.DefaultSelector}): the labels of
 * every Service in its namespace that selects it, and the selector of its controlling ReplicaSet or StatefulSet.
 */
final class DefaultSelectors {
    private final SharedInformer<Service> services;
    private final SharedInformer<ReplicaSet> replicaSets;
    private final SharedInformer<StatefulSet> statefulSets;

    DefaultSelectors(InformerFactory informers) {
        this.services = informers.forType(Service.class);
        this.replicaSets = informers.forType(ReplicaSet.class);
        this.statefulSets = informers.forType(StatefulSet.class);
    }

    /** The pod's default selector, or null when nothing selects it. */
    LabelSelector of(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> set = new LinkedHashMap<>();
        for (Service s : services.cache().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
            if (selector != null && !selector.isEmpty() && selector.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
                set.putAll(selector);
            }
        }
        List<LabelSelectorRequirement> expressions = new ArrayList<>();
        io.fabric8.kubernetes.api.model.LabelSelector owner = controllerSelector(pod, namespace);
        if (owner != null) {
            if (owner.getMatchLabels() != null) {
                owner.getMatchLabels().forEach((k, v) -> expressions.add(new LabelSelectorRequirement(k, "In",
                        List.of(v))));
            }
            if (owner.getMatchExpressions() != null) {
                expressions.addAll(owner.getMatchExpressions());
            }
        }
        if (set.isEmpty() && expressions.isEmpty()) {
            return null;
        }
        return LabelSelector.of(new LabelSelectorBuilder().withMatchLabels(set).withMatchExpressions(expressions)
                .build());
    }

    private io.fabric8.kubernetes.api.model.LabelSelector controllerSelector(Pod pod, String namespace) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return null;
        }
        for (OwnerReference o : owners) {
            if (!Boolean.TRUE.equals(o.getController()) || !"apps/v1".equals(o.getApiVersion())) {
                continue;
            }
            if ("ReplicaSet".equals(o.getKind())) {
                ReplicaSet rs = replicaSets.cache().get(namespace, o.getName());
                return rs == null || rs.getSpec() == null ? null : rs.getSpec().getSelector();
            }
            if ("StatefulSet".equals(o.getKind())) {
                StatefulSet ss = statefulSets.cache().get(namespace, o.getName());
                return ss == null || ss.getSpec() == null ? null : ss.getSpec().getSelector();
            }
        }
        return null;
    }
}
