package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;

/** Builders of the objects tests use most. */
public final class TestObjects {
    private TestObjects() {
    }

    public static Namespace namespace(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    /** A pod with one container and the given labels. */
    public static Pod pod(String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.25")
                .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources().endContainer()
                .endSpec().build();
    }

    public static Pod pod(String name) {
        return pod(name, Map.of("app", "web"));
    }

    /** A deployment of {@code replicas} nginx pods labelled app=name. */
    public static Deployment deployment(String name, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }
}
